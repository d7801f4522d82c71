"""The household page's incomes, assets and means test, and the pages that record rows:
the caseworker of the township records; others read or are turned away (403), outsiders
find nothing (404)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from registry import services
from registry.models import Asset, Income

from .conftest import error_messages

pytestmark = pytest.mark.django_db


def _head_and_spouse(household):
    return list(household.members.order_by("pk"))


def test_the_page_shows_current_and_past_rows_and_the_means_test(as_user, alice, household):
    head, spouse = _head_and_spouse(household)
    services.record_income(alice, household, member=head, kind="pension", monthly_amount="300.00",
                           start=datetime.date(2024, 1, 1))
    services.record_income(alice, household, member=head, kind="pension", monthly_amount="320.00",
                           start=datetime.date(2025, 1, 1))
    services.record_income(alice, household, member=spouse, kind="assistance", monthly_amount="120.00",
                           start=datetime.date(2024, 1, 1), note="重度残疾人护理补贴")
    services.record_asset(alice, household, kind="house", value="150000.00", as_of=datetime.date(2025, 5, 1))

    response = as_user(alice).get(reverse("household_detail", args=[household.pk]))
    html = response.content.decode()

    assert [i.monthly_amount for i in response.context["incomes"]] == [320, 120]
    assert [i.monthly_amount for i in response.context["past_incomes"]] == [300]
    assert "1 条以往记录" in html and "150000.00" in html
    means = response.context["means"]
    # Urban standard of 济宁市 (1,000.00); counted 320.00 ÷ 2 = 160.00 → (1,000.00 − 160.00) × 2.
    assert means.program == "dibao" and means.on == timezone.localdate()
    assert means.eligible and str(means.monthly_amount) == "1680.00"
    assert "家庭经济状况核算" in html and "低保标准（城镇户籍，每人每月）" in html
    assert "家庭人均收入：320.00 ÷ 家庭人口 2" in html
    assert 'id="add-income"' in html and 'id="add-asset"' in html
    # The rows' history is on the page too.
    assert "registry.income.ended" in html


def test_the_page_costs_few_queries_with_rows(as_user, alice, household, django_assert_max_num_queries):
    head, spouse = _head_and_spouse(household)
    for person in (head, spouse):
        for kind in ("pension", "support", "assistance"):
            services.record_income(alice, household, member=person, kind=kind, monthly_amount="100.00",
                                   start=datetime.date(2024, 1, 1))
    services.record_asset(alice, household, kind="deposit", value="5000.00", as_of=datetime.date(2025, 1, 1))
    client = as_user(alice)
    client.get(reverse("household_detail", args=[household.pk]))
    # 11 before the means test, which adds two: the standard and its rule; the members,
    # incomes and assets are the rows the lists loaded.
    with django_assert_max_num_queries(13):
        client.get(reverse("household_detail", args=[household.pk]))


class TestRecordIncome:
    def test_the_caseworker_records_an_income(self, as_user, alice, household):
        head, _spouse = _head_and_spouse(household)
        response = as_user(alice).post(reverse("household_add_income", args=[household.pk]), {
            "member": str(head.pk), "kind": "pension", "monthly_amount": "1,200.00".replace(",", ""),
            "start": "2026-01-01", "end": "", "note": "城乡居民基本养老保险"})
        assert response.status_code == 302 and response["Location"].endswith("#incomes")
        income = Income.objects.get()
        assert (income.person, income.household, str(income.monthly_amount)) == (head, household, "1200.00")
        assert AuditEvent.objects.filter(event="registry.income.recorded", actor=alice).exists()

    def test_a_household_row_has_no_member(self, as_user, alice, household):
        as_user(alice).post(reverse("household_add_income", args=[household.pk]), {
            "member": "", "kind": "property", "monthly_amount": "80", "start": "2026-01-01"})
        assert Income.objects.get().person is None

    @pytest.mark.parametrize(("data", "field"), [
        ({"monthly_amount": "12.345"}, "monthly_amount"),
        ({"monthly_amount": "-1"}, "monthly_amount"),
        ({"kind": "lottery"}, "kind"),
        ({"start": "2026-02-30"}, "start"),
        ({"end": "2025-01-01"}, "end"),
    ])
    def test_errors_are_shown_on_their_field(self, as_user, alice, household, data, field):
        body = {"member": "", "kind": "pension", "monthly_amount": "100", "start": "2026-01-01", **data}
        response = as_user(alice).post(reverse("household_add_income", args=[household.pk]), body)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert error_messages(response.content.decode())
        assert not Income.objects.exists()

    def test_an_outsider_finds_nothing(self, as_user, bob, household):
        client = as_user(bob)
        url = reverse("household_add_income", args=[household.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"kind": "pension", "monthly_amount": "1", "start": "2026-01-01"}).status_code == 404
        assert client.get(reverse("household_detail", args=[household.pk])).status_code == 404
        assert not Income.objects.exists()

    def test_a_role_that_only_reads_may_not_record(self, as_user, hana, household):
        client = as_user(hana)
        url = reverse("household_add_income", args=[household.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"kind": "pension", "monthly_amount": "1", "start": "2026-01-01"}).status_code == 403
        html = client.get(reverse("household_detail", args=[household.pk])).content.decode()
        assert 'id="means-test"' in html and 'id="add-income"' not in html and 'id="add-asset"' not in html


class TestRecordAsset:
    def test_the_caseworker_records_and_revalues_an_asset(self, as_user, alice, household):
        client = as_user(alice)
        url = reverse("household_add_asset", args=[household.pk])
        today = timezone.localdate().isoformat()
        assert client.post(url, {"kind": "vehicle", "value": "3000", "as_of": "2025-01-01",
                                 "note": "电动三轮车"}).status_code == 302
        tricycle = Asset.objects.get()
        form = client.get(url).context["form"]
        assert str(tricycle.pk) in dict(form.fields["replaces"].choices)
        assert client.post(url, {"kind": "vehicle", "value": "0", "as_of": today, "replaces": str(tricycle.pk),
                                 "note": "已卖出"}).status_code == 302
        tricycle.refresh_from_db()
        assert tricycle.valid_to == timezone.localdate() - datetime.timedelta(days=1)

    def test_an_outsider_finds_nothing_and_a_reader_may_not(self, as_user, bob, carol, household):
        url = reverse("household_add_asset", args=[household.pk])
        body = {"kind": "deposit", "value": "100", "as_of": "2025-01-01"}
        assert as_user(bob).post(url, body).status_code == 404
        assert as_user(carol).post(url, body).status_code == 403
        assert not Asset.objects.exists()


def test_a_role_that_does_not_see_members_sees_no_incomes_or_means_test(as_user, sam, household):
    response = as_user(sam).get(reverse("household_detail", args=[household.pk]))
    assert response.status_code == 200
    assert "means" not in response.context and "incomes" not in response.context
