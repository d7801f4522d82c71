"""救助主动告知: a household whose means test says it qualifies but which has no case is
told in writing that it may apply; a household with a case, or that does not qualify, or
that was told already, is not."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from audit.models import AuditEvent
from core.errors import Conflict, InvalidInput, NotPermitted
from documents.models import ImmutableDocumentError
from tests.enrolment.conftest import _calendar, cora, do, open_case, poor_couple, walk_to_review  # noqa: F401
from tests.means.conftest import family, income, person, standards  # noqa: F401
from workflows.enrolment.models import ProactiveNotice
from workflows.enrolment.proactive import eligible_without_case, issue_proactive_notice

from .conftest import pdf_text
from .test_enrolment_notices import ID_LIKE

pytestmark = pytest.mark.django_db


@pytest.fixture
def comfortable(alice, standards):  # noqa: F811
    """A couple on two urban pensions of 2,600.00: far above the 1,050.00 standard."""
    household, people = family(alice, [person("赵国华", "1955-05-05", "head"),
                                       person("钱玉兰", "1957-07-07", "spouse", female=True)],
                               village="370811001001", registration="urban", address="东关社区9号楼1单元101")
    for member in people.values():
        income(alice, household, member, "pension", "2600.00", "2024-01-01")
    return household


@pytest.fixture
def near_with_disabled_son(alice, standards):  # noqa: F811
    """A rural mother and her son with a grade-1 intellectual disability. Her wages of 2,000.00
    (his disability allowance is not counted): per capita 1,000.00, above the 870.00 standard
    and below 1,305.00 (near-dibao). The son, with no counted income of his own, is covered
    alone at 870.00."""
    household, people = family(alice, [person("刘秀珍", "1968-03-03", "head", female=True),
                                       person("张小军", "1994-06-06", "child", disability_kind="intellectual",
                                              disability_grade=1)],
                               village="370811001002", registration="rural", address="西关村2组8号")
    income(alice, household, people["刘秀珍"], "wage", "2000.00", "2024-01-01")
    income(alice, household, people["张小军"], "assistance", "180.00", "2024-01-01", note="重度残疾人护理补贴")
    return household


def _found(prefix="370811", program="dibao"):
    return [r.household_id for r in eligible_without_case(prefix, program)]


def test_an_eligible_household_without_a_case_is_told_it_may_apply(alice, poor_couple, comfortable):  # noqa: F811
    assert _found() == [poor_couple.pk]

    notice = issue_proactive_notice(alice, poor_couple)

    assert notice.program == "dibao" and notice.region_code == poor_couple.region_id
    assert notice.created_by == alice
    assert notice.sha256 == hashlib.sha256(bytes(notice.content)).hexdigest()
    assert notice.means["eligible"] is True and notice.means["per_capita_income"] == "375.00"
    text = pdf_text(notice.content)
    assert "社会救助主动告知书" in text
    assert "孙守田（户）" in text
    assert "你家庭可能符合最低生活保障条件，可以申请" in text
    assert "¥375.00" in text and "¥870.00" in text and "¥990.00" in text
    assert "家庭人均收入" in text  # the test's lines
    assert "济阳街道社会救助经办窗口" in text  # where to apply
    assert "不是审核确认决定" in text
    assert not ID_LIKE.search(text)
    event = AuditEvent.objects.get(event="enrolment.proactive_notice.issued")
    assert event.extra["household"] == poor_couple.pk and event.extra["sha256"] == notice.sha256
    # Told once: not found again, and a second letter is refused.
    assert _found() == []
    with pytest.raises(Conflict):
        issue_proactive_notice(alice, poor_couple)
    assert ProactiveNotice.objects.count() == 1


def test_none_for_a_household_with_a_case(alice, poor_couple):  # noqa: F811
    open_case(alice, poor_couple)

    assert _found() == []
    with translation.override("en"), pytest.raises(Conflict, match="has applied"):
        issue_proactive_notice(alice, poor_couple)
    assert not ProactiveNotice.objects.exists()


def test_none_for_an_approved_household(alice, amy, hana, cora, carol, poor_couple):  # noqa: F811
    import datetime

    from django.utils import timezone

    from workflows.enrolment.models import PublicNotice

    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="recommend")
    PublicNotice.objects.filter(application=case).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))
    do(carol, case, "county_confirm", decision="approve")

    assert _found() == []


def test_a_household_refused_since_its_letter_may_be_told_again(alice, amy, hana, cora, poor_couple):  # noqa: F811
    issue_proactive_notice(alice, poor_couple)
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="reject", reason="有赡养能力的子女")

    assert _found() == [poor_couple.pk]


def test_none_for_a_household_that_does_not_qualify(alice, comfortable):
    assert _found() == []
    with pytest.raises(Conflict):
        issue_proactive_notice(alice, comfortable)


def test_near_dibao_household_is_told_of_individual_coverage(alice, near_with_disabled_son):
    assert _found() == [near_with_disabled_son.pk]

    notice = issue_proactive_notice(alice, near_with_disabled_son)

    text = pdf_text(notice.content)
    assert "单人保" in text
    assert "张小军" in text and "¥870.00" in text
    assert notice.means["individual_coverage"][0]["amount"] == "870.00"


def test_tekun_uses_its_own_standard(alice, regions, standards):  # noqa: F811
    household, _people = family(alice, [person("王德胜", "1948-02-11", "head")], village="370811001002",
                                registration="rural", address="西关村5组3号")
    income(alice, household, None, "pension", "950.00", "2024-01-01")
    # 950.00 is above 低保's 870.00 but below 特困's 1.3 × 870.00 = 1,131.00.
    assert household.pk not in _found(program="dibao")
    assert _found(program="tekun") == [household.pk]

    text = pdf_text(issue_proactive_notice(alice, household, "tekun").content)
    assert "特困人员救助供养" in text and "¥1,131.00" in text


def test_outsider_and_wrong_role_are_refused(bob, carol, fiona, poor_couple):  # noqa: F811
    for user in (bob, carol, fiona):  # township B's caseworker; county reviewer; county finance
        with pytest.raises(NotPermitted):
            issue_proactive_notice(user, poor_couple)
    assert not ProactiveNotice.objects.exists()


def test_a_notice_never_changes(alice, poor_couple):  # noqa: F811
    notice = issue_proactive_notice(alice, poor_couple)
    notice.sha256 = "0" * 64
    with pytest.raises(ImmutableDocumentError):
        notice.save()
    with pytest.raises(ImmutableDocumentError):
        ProactiveNotice.objects.filter(pk=notice.pk).update(sha256="")
    with pytest.raises(ImmutableDocumentError):
        notice.delete()


def test_a_bad_region_prefix_is_refused(db):
    with pytest.raises(InvalidInput):
        list(eligible_without_case("37-08", "dibao"))


def test_the_command_dry_runs_then_writes_once(poor_couple, comfortable):  # noqa: F811
    def run(*extra):
        out = StringIO()
        with translation.override("en"):
            call_command("proactive_notices", "--region", "370811", "--program", "dibao", *extra, stdout=out)
        return out.getvalue()

    dry = run("--dry-run")
    assert f"would write to household {poor_couple.pk}" in dry
    assert "1 households would be told" in dry
    assert not ProactiveNotice.objects.exists()

    assert "1 proactive notices written, 0 skipped." in run()
    notice = ProactiveNotice.objects.get()
    assert notice.household_id == poor_couple.pk and notice.created_by is None
    assert AuditEvent.objects.filter(event="enrolment.proactive_notice.issued", actor=None).count() == 1

    assert "0 proactive notices written" in run()
    assert ProactiveNotice.objects.count() == 1
