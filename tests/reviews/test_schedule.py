"""The periodic schedule: yearly for a stable household, every six months when income is
irregular or a member is able to work; idempotent; and the arithmetic of a cut share."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assistance.models import Application
from workflows.reviews import services
from workflows.reviews.models import Review, ReviewRule

from .conftest import do, earns, today

pytestmark = pytest.mark.django_db


def approved_ago(case, months: int, days: int = 0):
    """The case was approved ``months`` (and ``days``) before today."""
    day = services.months_after(today(), -months) - datetime.timedelta(days=days)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    Application.objects.filter(pk=case.pk).update(decided_at=moment)


def test_a_stable_household_is_reviewed_yearly(enrolled):
    case = enrolled  # two pensioners in their seventies, pension and farming income: stable
    approved_ago(case, 11, days=20)
    assert services.schedule_due() == []
    approved_ago(case, 12)
    assert services.schedule_due() == [case.pk]
    review = Review.objects.get(application=case)
    assert (review.kind, review.status) == ("periodic", "open")
    assert "12" in review.due_reason


def test_irregular_income_is_reviewed_every_six_months(alice, enrolled):
    case = enrolled
    approved_ago(case, 6, days=1)
    assert services.schedule_due() == []
    earns(alice, case, "孙守田", "100.00", kind="other")  # odd jobs: irregular under the national rule
    assert services.schedule_due() == [case.pk]


def test_a_member_able_to_work_is_reviewed_every_six_months(enrolled):
    case = enrolled
    approved_ago(case, 7)
    assert services.schedule_due() == []
    # A county that counts working age up to 80 (its own row): the couple now can work.
    national = ReviewRule.objects.get(program="dibao", scope="")
    ReviewRule.objects.create(program="dibao", scope="370811", effective_from=national.effective_from,
                              work_age_under=80)
    assert services.schedule_due() == [case.pk]


def test_scheduling_twice_opens_one_review(enrolled):
    case = enrolled
    approved_ago(case, 13)
    assert services.schedule_due(dry_run=True) == [case.pk]
    assert not Review.objects.exists()
    assert services.schedule_due() == [case.pk]
    assert services.schedule_due() == []
    call_command("schedule_reviews", "--region", "3708")
    assert Review.objects.filter(application=case).count() == 1


def test_a_decided_review_restarts_the_clock(alice, hana, enrolled):
    case = enrolled
    approved_ago(case, 13)
    services.schedule_due()
    do(alice, case, "review_investigate", investigators=["alice", "amy"], findings="情况无变化")
    do(hana, case, "review_decide", decision="continue")
    review = Review.objects.get(application=case)
    assert (review.status, review.outcome) == ("decided", "continue")
    assert services.schedule_due() == []  # reviewed today: next year


def test_the_command_reads_a_region(enrolled, capsys):
    approved_ago(enrolled, 13)
    call_command("schedule_reviews", "--region", "370812", "--dry-run")
    assert "0" in capsys.readouterr().out
    call_command("schedule_reviews", "--region", "370811", "--dry-run")
    assert f"#{enrolled.pk}" in capsys.readouterr().out
    assert not Review.objects.exists()


@given(base=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
       size=st.integers(min_value=2, max_value=12))
def test_a_cut_takes_one_share_rounded_down(base, size):
    share, rest = services.share_cut(base, size)
    assert share + rest == base
    assert share * size <= base < (share + Decimal("0.01")) * size
    assert rest >= share >= 0


def test_the_daily_jobs_are_scheduled_and_registered(settings):
    from engine.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reviews.schedule", "reviews.end_gradual_exits"} <= tasks
    app.loader.import_default_modules()
    assert {"reviews.schedule", "reviews.end_gradual_exits", "reviews.render_notice"} <= set(app.tasks)


def test_the_daily_task_opens_due_reviews(enrolled):
    from workflows.reviews.tasks import schedule_reviews

    approved_ago(enrolled, 13)
    assert schedule_reviews.delay().get() == 1
    assert schedule_reviews.delay().get() == 0
