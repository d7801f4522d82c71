import datetime
from zoneinfo import ZoneInfo

import pytest

from deadlines.calendar_admin import load_year

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture
def calendar_2026(db):
    load_year(2025)
    load_year(2026)


@pytest.fixture
def policy(db):
    """A 3-working-day step: reminder on its last day, township head at the due
    time, county reviewer and supervisor 48 hours later."""
    from deadlines.models import EscalationStep, SlaPolicy

    p = SlaPolicy.objects.create(flow="test", step="investigate", duration=3, unit="working_days",
                                 remind_before=1, effective_from=datetime.date(2020, 1, 1))
    EscalationStep.objects.create(policy=p, level=1, after_hours=0, notify_roles="township_head")
    EscalationStep.objects.create(policy=p, level=2, after_hours=48, notify_roles="county_reviewer,supervisor")
    return p
