from __future__ import annotations

import re

import pytest
from django.urls import reverse


def test_chinese_is_the_default(as_user, alice, household):
    html = as_user(alice).get(reverse("household_list")).content.decode()
    assert "社会救助经办系统" in html
    assert "户主" in html
    assert "Head of household" not in html
    assert 'lang="zh-Hans"' in html


def test_switching_to_english(as_user, alice, household):
    client = as_user(alice)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("household_list")})
    assert response.status_code == 302
    html = client.get(reverse("household_list")).content.decode()
    assert "Social assistance" in html
    assert "Head of household" in html
    assert "Export to Excel" in html
    assert "户主" not in html
    assert 'lang="en"' in html
    detail = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "Spouse" in detail  # model choice labels follow too


def test_the_login_page_offers_both_languages(client):
    html = client.get(reverse("login")).content.decode()
    assert 'value="zh-hans"' in html and 'value="en"' in html


def test_service_messages_are_translated(as_user, alice):
    from .conftest import member, registration_post

    response = as_user(alice).post(reverse("household_create"), registration_post([member("孙建国", "123", "head")]))
    assert "孙建国" in response.content.decode()
    assert "身份证号" in response.content.decode()


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_both_catalogues_are_complete(language):
    import polib

    from tests.catalogue import CATALOGUES

    (po_path,) = [p for p in CATALOGUES if p.parts[-3] == language]
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags] == []
    for entry in po.translated_entries():
        # A translation must keep every placeholder of the source string.
        for placeholder in re.findall(r"%\(\w+\)[sd]", entry.msgid):
            assert placeholder in (entry.msgstr or entry.msgstr_plural.get(0, "")), entry.msgid


def test_the_project_catalogue_wins():
    """No catalogue of an app earlier in INSTALLED_APPS replaces one of our translations."""
    import polib
    from django.utils import translation

    from tests.catalogue import CATALOGUES

    (po_path,) = [p for p in CATALOGUES if p.parts[-3] == "zh_Hans"]
    po = polib.pofile(str(po_path))

    def shown(entry):
        return translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else translation.gettext(entry.msgid)

    with translation.override("zh-hans"):
        replaced = {e.msgid: shown(e) for e in po if e.translated() and not e.msgid_plural and shown(e) != e.msgstr}
    assert replaced == {}


def test_words_with_two_meanings_get_two_translations():
    """The same English word names different things: each reads right in Chinese."""
    from django.utils import translation

    from deadlines.models import CalendarDay, Unit
    from web.labels import event_label

    with translation.override("zh-hans"):
        assert str(CalendarDay._meta.verbose_name_plural) == "日历日期"  # the admin's list of holidays
        assert str(Unit.CALENDAR_DAYS.label) == "自然日"  # the unit of a time limit
        assert event_label("assistance.application.approved") == "同意救助"  # what happened
        assert translation.pgettext("amount", "Approved") == "批准金额"  # the column of amounts


@pytest.mark.django_db
def test_pages_have_a_favicon(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
    served = client.get(response["Location"])
    assert served.status_code == 200
    served.close()  # a static file is a streamed response: close its file
