"""A new dibao standard on the fixture city (tests/whatif/conftest.py): the counts and
costs worked out by hand, the affected households, and not one row changed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from core.errors import InvalidInput, NotPermitted
from registry.models import Household
from workflows.whatif import services
from workflows.whatif.models import Change, RunStatus, WhatIfRow, WhatIfRun
from workflows.whatif.readonly import WriteRefused, reads_only, written_table

from .checksums import OWN_TABLES, snapshot
from .conftest import CITY, COUNTY, COUNTY_2, enrol, household, the_day

pytestmark = pytest.mark.django_db

RENCHENG, YANZHOU = COUNTY, COUNTY_2


def ask(user, django_capture_on_commit_callbacks, region=COUNTY, **fields) -> WhatIfRun:
    """Ask, and let the (eager) Celery task answer once the request's transaction commits."""
    fields.setdefault("on", the_day().isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_run(user, kind="standard", region=region, **fields)
    return WhatIfRun.objects.get(pk=run.pk)


def rows_of(run) -> list[tuple]:
    names = {h.pk: h.members.get(relation="head").name for h in Household.objects.all()}
    return sorted((r.change, names[r.household_id], r.amount_now, r.amount_new) for r in run.rows.all())


def test_raising_the_rural_standard_of_a_county(ada, city, django_capture_on_commit_callbacks):
    before = snapshot(exclude=OWN_TABLES)
    run = ask(ada, django_capture_on_commit_callbacks, rural="900.00")

    assert run.status == RunStatus.DONE and run.error == ""
    (county,) = run.result["counties"]
    assert county["code"] == RENCHENG and run.result["total"] == {k: v for k, v in county.items() if k in
                                                                  run.result["total"]}
    assert county["standard_now"] == {"urban": "1000.00", "rural": "820.00"}
    assert county["standard_new"] == {"urban": "1000.00", "rural": "900.00"}
    assert county["exit_months"] == 6
    # Nine households, fifteen people; eligible now: H1, H2, H7, H9; under 900 also H3, H4, H6.
    assert (county["households"], county["people"]) == (9, 15)
    assert county["eligible_now"] == {"households": 4, "people": 5}
    assert county["eligible_new"] == {"households": 7, "people": 12}
    assert county["newly_eligible"] == {"households": 3, "people": 7}
    assert county["no_longer_eligible"] == {"households": 0, "people": 0}
    # Cases H1, H2, H6, H9: paid 520 + 140 + 200 + 40; the means test gives them 520, 140,
    # nothing (H6's 830 is above 820) and 40 now, and 600, 300, 140, 120 under 900.
    assert county["enrolled"] == 4 and county["paid_now"] == "900.00"
    assert county["monthly_now"] == "700.00" and county["cases_new"] == "1160.00"
    # H3 (900 − 850) × 2 and H4 (900 − 860) × 3 have no case: 220.00 if both apply.
    assert county["newcomers"] == 2 and county["newcomers_monthly"] == "220.00"
    assert county["monthly_new"] == "1380.00" and county["monthly_change"] == "680.00"
    assert county["yearly_change"] == "8160.00"
    assert county["exits_caused"] == 0 and county["exits_new"] == 0 and county["amount_changes"] == 4

    assert rows_of(run) == sorted([
        (Change.AMOUNT, "张守田", Decimal("520.00"), Decimal("600.00")),
        (Change.AMOUNT, "李长顺", Decimal("140.00"), Decimal("300.00")),
        (Change.AMOUNT, "冯有田", None, Decimal("140.00")),
        (Change.AMOUNT, "卫守成", Decimal("40.00"), Decimal("120.00")),
        (Change.NEWLY_ELIGIBLE, "赵大年", None, Decimal("100.00")),
        (Change.NEWLY_ELIGIBLE, "周建国", None, Decimal("120.00")),
        (Change.NEWLY_ELIGIBLE, "冯有田", None, Decimal("140.00")),
    ])
    # Nothing but the run, its rows, the request's audit row and the asker's note changed.
    assert snapshot(exclude=OWN_TABLES) == before


def test_cutting_the_standard_starts_gradual_exits(ada, city, django_capture_on_commit_callbacks):
    run = ask(ada, django_capture_on_commit_callbacks, rural="760.00")
    (county,) = run.result["counties"]
    assert county["eligible_new"] == {"households": 3, "people": 4}
    assert county["no_longer_eligible"] == {"households": 1, "people": 1}  # H9: 780 ≥ 760
    assert county["cases_new"] == "480.00" and county["monthly_change"] == "-220.00"
    # H9 qualifies now and not under 760: it exits gradually, still paid its 40.00 for six
    # months; H6 did not qualify already: both would exit at their review under 760.
    assert county["exits_caused"] == 1 and county["exits_new"] == 2
    # 12 × (460 − 520) + 12 × (20 − 140) − (12 − 6) × 40
    assert county["yearly_change"] == "-2400.00"
    assert rows_of(run) == sorted([
        (Change.AMOUNT, "张守田", Decimal("520.00"), Decimal("460.00")),
        (Change.AMOUNT, "李长顺", Decimal("140.00"), Decimal("20.00")),
        (Change.GRADUAL_EXIT, "卫守成", Decimal("40.00"), None),
    ])


def test_a_city_wide_standard_per_county(ada, city, django_capture_on_commit_callbacks):
    run = ask(ada, django_capture_on_commit_callbacks, region=CITY, rural="900.00")
    rencheng, yanzhou = run.result["counties"]
    assert (rencheng["code"], yanzhou["code"]) == (RENCHENG, YANZHOU)
    assert rencheng["monthly_change"] == "680.00"
    # H11 from 320 to 400; H12 (900 − 850) × 2 = 100 becomes eligible; H13 earns too much.
    assert (yanzhou["households"], yanzhou["people"], yanzhou["enrolled"]) == (3, 6, 1)
    assert yanzhou["newly_eligible"] == {"households": 1, "people": 2}
    assert yanzhou["monthly_now"] == "320.00" and yanzhou["monthly_new"] == "500.00"
    assert yanzhou["monthly_change"] == "180.00" and yanzhou["yearly_change"] == "2160.00"
    total = run.result["total"]
    assert (total["households"], total["people"]) == (12, 21)
    assert total["monthly_change"] == "860.00" and total["yearly_change"] == "10320.00"
    assert run.rows.filter(county_code=YANZHOU).count() == 2


def test_a_county_standard_of_its_own_beats_a_city_wide_hypothetical(ada, city, django_capture_on_commit_callbacks):
    from assistance.models import DibaoStandard

    DibaoStandard.objects.create(scope="370811", registration="rural", effective_from=datetime.date(2026, 1, 1),
                                 monthly_amount=Decimal("850.00"))
    run = ask(ada, django_capture_on_commit_callbacks, region=CITY, rural="900.00")
    rencheng, yanzhou = run.result["counties"]
    # As a saved city-wide row would: the county's own row is more local and still applies.
    assert rencheng["standard_now"]["rural"] == rencheng["standard_new"]["rural"] == "850.00"
    assert rencheng["monthly_change"] == "0.00" and rencheng["newly_eligible"]["households"] == 0
    assert yanzhou["standard_new"]["rural"] == "900.00"


def test_individual_coverage_is_the_one_cliff(ada, root, regions, django_capture_on_commit_callbacks):
    """A member covered alone (单人保) in a near-dibao household: once the household qualifies
    as a whole, it is never covered only in part, so the member's case exits gradually and
    the household may apply as a whole — for less than the member was paid."""
    from tests.conftest import VILLAGE_A2

    h = household(root, VILLAGE_A2, "rural",
                  [("严大山", "1950-01-01", "head"), ("严小妹", "1975-01-01", "child")],
                  [("严大山", "pension", "1600.00"), ("严小妹", "assistance", "100.00"),
                   ("严小妹", "pension", "100.00")])
    daughter = h.members.get(name="严小妹")
    daughter.disability_kind, daughter.disability_grade = "physical", 1
    daughter.save(update_fields=["disability_kind", "disability_grade"])
    enrol(root, h, "720.00", covered=daughter)  # 820 − her own 100
    run = ask(ada, django_capture_on_commit_callbacks, rural="900.00")
    (county,) = run.result["counties"]
    # Per capita 850: near-dibao under 820; eligible as a whole under 900, (900 − 850) × 2 = 100.
    assert county["exits_caused"] == 1 and county["newly_eligible"] == {"households": 1, "people": 2}
    assert county["newcomers_monthly"] == "100.00"
    assert county["monthly_now"] == "720.00" and county["monthly_new"] == "100.00"
    assert county["monthly_change"] == "-620.00"
    # Her 720 for the six exit months, then the household's 100: 12 × 100 − 6 × 720.
    assert county["yearly_change"] == "-3120.00"


def test_the_answer_reads_and_never_writes(ada, city):
    """Computed with every write refused (even to the run's own row), the answer is the
    same, and every table of the database is as it was."""
    run = WhatIfRun.objects.create(kind="standard", region_code=CITY, requested_by=ada,
                                   params={"program": "dibao", "on": the_day().isoformat(), "urban": "1100.00",
                                           "rural": "900.00"})
    before = snapshot()
    with reads_only():
        answer = services.answer(run, progress=lambda done, total: None)
    assert snapshot() == before
    assert answer.result["total"]["newly_eligible"]["households"] > 0 and answer.rows


def test_the_guard_refuses_writes_and_lets_reads_through(city):
    with reads_only():
        assert Household.objects.count() == 12
        with pytest.raises(WriteRefused), transaction.atomic():
            Household.objects.filter(pk=city["H1"].pk).update(address="改")
    with reads_only(allowed={"whatif_whatifrun"}), pytest.raises(WriteRefused), transaction.atomic():
        WhatIfRow.objects.filter(pk=0).delete()
    assert Household.objects.get(pk=city["H1"].pk).address == "1号"
    for sql, table in (('UPDATE "registry_household" SET x = 1', "registry_household"),
                       ('INSERT INTO "audit_auditevent" (a) VALUES (1)', "audit_auditevent"),
                       ("DELETE FROM `registry_income` WHERE id = 1", "registry_income"),
                       ("  insert or replace into means_meansrule values (1)", "means_meansrule"),
                       ("TRUNCATE registry_asset", "registry_asset"),
                       ('SELECT "x" FROM "registry_household" WHERE "id" = 1 FOR UPDATE', None),
                       ("SAVEPOINT s1", None)):
        assert written_table(sql) == table, sql


def test_a_failing_answer_is_written_on_the_run(ada, city, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(run, progress=None):
        raise WriteRefused("a what-if only reads")

    monkeypatch.setattr(services, "answer", refuse)
    run = ask(ada, django_capture_on_commit_callbacks, rural="900.00")
    assert run.status == RunStatus.FAILED and "only reads" in run.error and not run.rows.exists()


def test_a_run_whose_worker_died_is_answered_again(ada, city, django_capture_on_commit_callbacks):
    from django.utils import timezone

    run = WhatIfRun.objects.create(kind="standard", region_code=COUNTY, requested_by=ada,
                                   params={"program": "dibao", "on": the_day().isoformat(), "urban": None,
                                           "rural": "900.00"})
    assert services._start(run.pk) == 1  # a worker took it, then died
    WhatIfRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=10))
    with pytest.raises(services._Abandoned):
        services._progress(run.pk, 0, 1, 9)  # an attempt that is not the run's
    assert services.resume_stale() == 1  # queued again, and answered by the (eager) task
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.attempt == 3 and run.result["total"]["monthly_change"] == "680.00"
    with pytest.raises(services._Abandoned):
        services._progress(run.pk, 1, 1, 9)  # the dead worker, had it been only slow, stops
    assert services.resume_stale() == 0 and services.run(run.pk) is None  # answered once


def test_what_may_be_asked(ada, alice, yan, city):
    on = the_day().isoformat()
    with pytest.raises(NotPermitted):
        services.request_run(alice, kind="standard", region=COUNTY, on=on, rural="900.00")
    with pytest.raises(InvalidInput) as refused:
        services.request_run(yan, kind="standard", region=COUNTY, on=on, rural="900.00")
    assert "region" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        services.request_run(ada, kind="standard", region=COUNTY, on="2020-01-01", urban="", rural="")
    assert set(refused.value.errors) == {"on", "urban"}
    with pytest.raises(InvalidInput) as refused:
        services.request_run(ada, kind="standard", region=COUNTY, on=on, rural="-5", program="tekun")
    assert set(refused.value.errors) == {"rural"}
    with pytest.raises(InvalidInput) as refused:
        services.request_run(ada, kind="band", region=COUNTY, cause_category="school", min_multiple="6",
                             max_multiple="3")
    assert set(refused.value.errors) == {"max_multiple"}
    with pytest.raises(InvalidInput) as refused:
        services.request_run(ada, kind="township_limit", region="370811001000", limit="2000")
    assert set(refused.value.errors) == {"region"}  # a township is not where a rule is set
    assert not WhatIfRun.objects.exists()


def test_a_member_reported_dead_is_not_counted(ada, alice, city, django_capture_on_commit_callbacks):
    """As a review would (reviews.services.assess): H2's head died; his widow's 600.00 alone
    is 220.00 below 820 now and 300.00 below 900."""
    from workflows.reviews.services import report_change

    h2 = city["H2"]
    report_change(alice, city["cases"]["H2"].pk, kind="death", occurred_on="2026-10-01",
                  member=h2.members.get(name="李长顺").pk)
    run = ask(ada, django_capture_on_commit_callbacks, rural="900.00")
    row = run.rows.get(household=h2)
    assert (row.change, row.people, row.amount_now, row.amount_new) == (
        Change.AMOUNT, 1, Decimal("220.00"), Decimal("300.00"))
    (county,) = run.result["counties"]
    assert county["people"] == 14 and county["monthly_now"] == "780.00"
