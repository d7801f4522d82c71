"""Incomes and assets: a change is a new row with its dates, never an overwrite; each
record is audited in its transaction; rows are the household's, scoped by its region."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import InvalidInput, NotPermitted
from registry import services
from registry.models import Asset, Income
from tests.conftest import VILLAGE_B1, register_households

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat


def members(household):
    head, spouse = household.members.order_by("pk")
    return head, spouse


def record(actor, household, **fields):
    values = {"kind": "pension", "monthly_amount": "1200.00", "start": D("2024-01-01")}
    values.update(fields)
    return services.record_income(actor, household, **values)


class TestRecordIncome:
    def test_a_change_ends_the_open_row_the_day_before_and_never_edits_its_amount(self, alice, household):
        head, _spouse = members(household)
        first = record(alice, household, member=head)
        second = record(alice, household, member=head, monthly_amount="1350.00", start=D("2026-01-01"))

        first.refresh_from_db()
        assert (first.monthly_amount, first.valid_from, first.valid_to) == (Decimal("1200.00"), D("2024-01-01"),
                                                                            D("2025-12-31"))
        assert (second.monthly_amount, second.valid_to, second.household_id) == (Decimal("1350.00"), None,
                                                                                 household.pk)
        assert list(Income.objects.filter(household=household).in_force(D("2025-12-31"))) == [first]
        assert list(Income.objects.filter(household=household).in_force(D("2026-01-01"))) == [second]

        recorded = AuditEvent.objects.get(event="registry.income.recorded", object_id=str(second.pk))
        assert recorded.after["monthly_amount"] == "1350.00" and recorded.extra["replaces"] == [first.pk]
        assert recorded.actor == alice and recorded.region_code == household.region_id
        ended = AuditEvent.objects.get(event="registry.income.ended", object_id=str(first.pk))
        assert ended.after == {"valid_to": "2025-12-31"} and ended.extra["replaced_by"] == second.pk

    def test_other_members_kinds_and_the_households_own_rows_are_separate(self, alice, household):
        head, spouse = members(household)
        record(alice, household, member=head)
        record(alice, household, member=spouse, monthly_amount="180.00")
        record(alice, household, member=head, kind="assistance", monthly_amount="100.00")
        record(alice, household, member=None, kind="property", monthly_amount="60.00", note="土地流转租金")
        assert Income.objects.filter(household=household, valid_to__isnull=True).count() == 4

    def test_a_row_overlapping_another_of_the_same_member_and_kind_is_refused(self, alice, household):
        head, _spouse = members(household)
        record(alice, household, member=head, start=D("2025-01-01"))
        with pytest.raises(InvalidInput) as info:
            record(alice, household, member=head, start=D("2024-06-01"), end=D("2025-03-01"))
        assert "start" in info.value.errors
        with pytest.raises(InvalidInput):
            record(alice, household, member=head, start=D("2025-01-01"))  # the same first day
        assert Income.objects.count() == 1 and Income.objects.get().valid_to is None

    def test_a_closed_row_before_the_open_one_is_allowed(self, alice, household):
        head, _spouse = members(household)
        record(alice, household, member=head, kind="wage", start=D("2025-06-01"))
        record(alice, household, member=head, kind="wage", monthly_amount="800.00", start=D("2024-01-01"),
               end=D("2024-12-31"))
        assert Income.objects.count() == 2 and Income.objects.filter(valid_to__isnull=True).count() == 1

    @pytest.mark.parametrize(("fields", "field"), [
        ({"monthly_amount": "12.345"}, "monthly_amount"),
        ({"monthly_amount": "-5"}, "monthly_amount"),
        ({"monthly_amount": "abc"}, "monthly_amount"),
        ({"monthly_amount": "1000000000000.00"}, "monthly_amount"),  # more than NUMERIC(14, 2) holds
        ({"kind": "lottery"}, "kind"),
        ({"end": D("2023-12-31")}, "end"),
        ({"note": "x" * 201}, "note"),
    ])
    def test_bad_input_names_its_field_and_saves_nothing(self, alice, household, fields, field):
        with pytest.raises(InvalidInput) as info:
            record(alice, household, **fields)
        assert field in info.value.errors
        assert not Income.objects.exists() and not AuditEvent.objects.filter(event__startswith="registry.income")

    def test_a_person_of_another_household_is_not_a_member(self, alice, household):
        register_households(alice, 1)
        stranger = household.__class__.objects.exclude(pk=household.pk).get().members.first()
        with pytest.raises(InvalidInput) as info:
            record(alice, household, member=stranger.pk)
        assert "member" in info.value.errors
        assert not Income.objects.exists()

    def test_a_role_without_the_permission_may_not(self, hana, household):
        with pytest.raises(NotPermitted):
            record(hana, household)

    def test_scoped_to_the_households_region(self, alice, bob, household):
        record(alice, household)
        assert Income.objects.visible_to(alice).count() == 1
        assert Income.objects.visible_to(bob).count() == 0


class TestRecordAsset:
    def test_a_new_deposit_statement_replaces_the_last_one_of_the_same_member(self, alice, household):
        head, spouse = members(household)
        old = services.record_asset(alice, household, member=head, kind="deposit", value="8000.00",
                                    as_of=D("2025-06-30"))
        services.record_asset(alice, household, member=spouse, kind="deposit", value="2000.00", as_of=D("2025-06-30"))
        new = services.record_asset(alice, household, member=head, kind="deposit", value="5000.00",
                                    as_of=D("2026-01-15"))
        old.refresh_from_db()
        assert old.value == Decimal("8000.00") and old.valid_to == D("2026-01-14")
        assert sorted(a.value for a in Asset.objects.in_force(D("2026-02-01"))) == [Decimal("2000.00"),
                                                                                   Decimal("5000.00")]
        assert AuditEvent.objects.get(event="registry.asset.replaced", object_id=str(old.pk)).extra == {
            "household": household.pk, "replaced_by": new.pk}

    def test_a_second_vehicle_is_another_vehicle_unless_it_names_the_one_it_revalues(self, alice, household):
        tricycle = services.record_asset(alice, household, kind="vehicle", value="3000.00", note="电动三轮车",
                                         as_of=D("2025-01-01"))
        services.record_asset(alice, household, kind="vehicle", value="1500.00", note="旧摩托车",
                              as_of=D("2025-02-01"))
        assert Asset.objects.filter(valid_to__isnull=True).count() == 2
        services.record_asset(alice, household, kind="vehicle", value="0.00", note="电动三轮车已卖出",
                              as_of=D("2026-01-01"), replaces=tricycle.pk)
        tricycle.refresh_from_db()
        assert tricycle.valid_to == D("2025-12-31") and tricycle.value == Decimal("3000.00")

    @pytest.mark.parametrize(("fields", "field"), [
        ({"as_of": timezone.localdate() + datetime.timedelta(days=3)}, "as_of"),
        ({"value": "1.001"}, "value"),
        ({"kind": "jewellery"}, "kind"),
        ({"replaces": 999999}, "replaces"),
    ])
    def test_bad_input_names_its_field(self, alice, household, fields, field):
        values = {"kind": "house", "value": "120000.00", "as_of": D("2025-01-01"), **fields}
        with pytest.raises(InvalidInput) as info:
            services.record_asset(alice, household, **values)
        assert field in info.value.errors
        assert not Asset.objects.exists()

    def test_a_valuation_replacing_a_later_one_is_refused(self, alice, household):
        services.record_asset(alice, household, kind="deposit", value="100.00", as_of=D("2026-01-01"))
        with pytest.raises(InvalidInput) as info:
            services.record_asset(alice, household, kind="deposit", value="90.00", as_of=D("2025-12-01"))
        assert "as_of" in info.value.errors

    def test_a_row_of_another_household_cannot_be_replaced(self, alice, bob, household):
        register_households(bob, 1, village=VILLAGE_B1)
        other = household.__class__.objects.exclude(pk=household.pk).get()
        theirs = services.record_asset(bob, other, kind="house", value="50000.00", as_of=D("2025-01-01"))
        with pytest.raises(InvalidInput) as info:
            services.record_asset(alice, household, kind="house", value="1.00", as_of=D("2025-06-01"),
                                  replaces=theirs.pk)
        assert "replaces" in info.value.errors
        theirs.refresh_from_db()
        assert theirs.valid_to is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_recording_the_same_income_at_once_leave_one_open_row(alice, amy, household):
    """Each reads the member's rows slowly; the household lock makes the second wait for
    the first, see its new row and end that one, instead of both ending the old row."""
    import threading
    import time

    from django.db import connection

    head, _spouse = members(household)
    record(alice, household, member=head, start=D("2024-01-01"))
    original = services._same_stream

    def slow(*args, **kwargs):
        rows = list(original(*args, **kwargs))
        time.sleep(0.3)
        return rows

    outcomes = []

    def clerk(user, start):
        try:
            record(user, household, member=head, monthly_amount="1300.00", start=start)
            outcomes.append("saved")
        except InvalidInput:
            outcomes.append("refused")  # the later start went first: the earlier one now overlaps it
        finally:
            connection.close()

    services._same_stream = slow
    try:
        threads = [threading.Thread(target=clerk, args=(alice, D("2026-01-01"))),
                   threading.Thread(target=clerk, args=(amy, D("2026-03-01")))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        services._same_stream = original
    rows = list(Income.objects.order_by("valid_from"))
    assert len(rows) == 1 + outcomes.count("saved") and "saved" in outcomes
    assert [r.valid_to is None for r in rows] == [False] * (len(rows) - 1) + [True]
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert earlier.valid_to == later.valid_from - datetime.timedelta(days=1)
