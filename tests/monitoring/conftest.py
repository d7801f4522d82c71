"""Early warning on households shaped like those served: enrolment's poor couple (two
pensioners in their seventies on a plot), the elderly couple of the shared fixtures (she
has a grade-2 disability and a serious illness; his card is a first-generation one),
and people other departments list.

Standards: 任城区 (370811) 1,050.00 urban / 870.00 rural from 2026 (tests/means/conftest.py).
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from registry.synthetic import make_id_number
from tests.enrolment.conftest import (  # noqa: F401 - fixtures
    _calendar,
    cora,
    open_case,
    poor_couple,
)
from tests.means.conftest import family, income, person, standards  # noqa: F401 - fixtures
from tests.reviews.conftest import enrolled  # noqa: F401 - fixture
from workflows.monitoring import lists, services
from workflows.monitoring.models import EarlyWarning


def today() -> datetime.date:
    return timezone.localdate()


def csv_file(header: list[str], rows: list[list]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def medical(actor, rows, **kw):
    """A medical-insurance list: (ID number, name, region code, out-of-pocket yuan) rows."""
    return lists.import_list(actor, "medical", csv_file(["身份证号", "姓名", "区划代码", "自付金额"], rows), **kw)


def death_list(actor, rows, **kw):
    return lists.import_list(actor, "death", csv_file(["身份证号", "姓名", "区划代码", "死亡日期"], rows), **kw)


def scan(on=None, rule=None):
    return services.scan(on or today(), rules=[rule] if rule else None)


def warnings(rule=None):
    qs = EarlyWarning.objects.all()
    return list(qs.filter(rule=rule) if rule else qs)


def stranger_id(seq: int, born="1948-03-02") -> str:
    return make_id_number("370811", datetime.date.fromisoformat(born), 900 + seq)


@pytest.fixture
def rich(alice, standards):  # noqa: F811
    """A couple in 东关社区 with a wage of 6,000.00: far above the line."""
    household, people = family(alice, [person("钱多多", "1975-05-05", "head"),
                                       person("孙美丽", "1977-07-07", "spouse", female=True)],
                               village="370811001001", registration="urban")
    income(alice, household, people["钱多多"], "wage", "6000.00", "2024-01-01")
    return household, people
