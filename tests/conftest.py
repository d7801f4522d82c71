"""Shared fixtures: a small region tree and named staff, one per role and place.

alice  caseworker       township A (370811001)   her township's households
bob    caseworker       township B (370811002)   the outsider next door
hana   township_head    township A
carol  county_reviewer  county 任城区 (370811)
fiona  county_finance   county 任城区
sam    supervisor       county 任城区
otto   supervisor       county 兖州区 (370812)   outsider at county level
cindy  supervisor       city 济宁市 (3708)        both counties
root   superuser        whole tree
"""

from __future__ import annotations

import os

import pytest

from regions.models import Region
from staff.roles import Role

PASSWORD = "pw-Test-1234"  # noqa: S105 - test fixture

CITY = "370800000000"
COUNTY = "370811000000"
COUNTY_2 = "370812000000"
TOWNSHIP_A = "370811001000"
TOWNSHIP_B = "370811002000"
TOWNSHIP_C = "370812001000"
VILLAGE_A1 = "370811001001"
VILLAGE_A2 = "370811001002"
VILLAGE_B1 = "370811002001"
VILLAGE_C1 = "370812001001"


# Reference rows that data migrations seed (deadline policies, assistance rules, visit
# tiers). A transactional test (browser, concurrency) empties every table when it ends,
# so a later test in the same worker may find them gone; the ``reference_data`` fixture
# puts them back (the loaders are idempotent). Test-only: in production they are seeded
# once and administrators may change or remove them.
SEEDING_MIGRATIONS = [
    "deadlines.migrations.0002_default_policies",
    "assistance.migrations.0002_shandong_defaults",
    "visits.migrations.0002_default_rules_and_follow_up_policy",
    "means.migrations.0002_national_defaults",
    "workflows.enrolment.migrations.0002_national_rules",
    "workflows.reviews.migrations.0002_national_rules",
    "workflows.guard.migrations.0002_national_exclusion",
]


def load_reference_data() -> None:
    import importlib

    from django.apps import apps as django_apps

    for module in SEEDING_MIGRATIONS:
        importlib.import_module(module).load(django_apps, None)
    # The default policies of the declared steps (seeded after every migrate).
    from deadlines.policies import ensure_step_policies

    ensure_step_policies()


@pytest.fixture
def reference_data(db):
    load_reference_data()


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests are skipped on SQLite with the reason shown by -ra.
    vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")) else "sqlite"
    if vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (row locks, concurrency): runs in the PostgreSQL pass")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _catalogues():
    from tests.catalogue import ensure_compiled

    ensure_compiled()


@pytest.fixture(autouse=True)
def _default_language():
    # Each test starts in the site's default language: a request in English (the test
    # client runs the locale middleware in this thread) must not leave the next test,
    # in the same worker, reading English.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle and login-limit counters live in the cache; one test's logins must not
    # throttle the next. Parallel workers share one Redis (each with its own key prefix):
    # clearing it whole (FLUSHDB) would wipe the other worker's counters mid-test, so
    # only this worker's keys go.
    from django.conf import settings
    from django.core.cache import cache

    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    if prefix and "redis" in settings.CACHES["default"]["BACKEND"].lower():
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture
def live_broker():
    """Real Celery workers on Redis for this test (tests/faults/processes.py)."""
    from tests.faults.processes import LiveBroker

    broker = LiveBroker()
    yield broker
    broker.close()


@pytest.fixture
def regions(db, reference_data):
    tree = [
        (CITY, "济宁市", "city", None),
        (COUNTY, "任城区", "county", CITY),
        (COUNTY_2, "兖州区", "county", CITY),
        (TOWNSHIP_A, "济阳街道", "township", COUNTY),
        (TOWNSHIP_B, "南苑街道", "township", COUNTY),
        (TOWNSHIP_C, "鼓楼街道", "township", COUNTY_2),
        (VILLAGE_A1, "东关社区", "village", TOWNSHIP_A),
        (VILLAGE_A2, "西关社区", "village", TOWNSHIP_A),
        (VILLAGE_B1, "南苑村", "village", TOWNSHIP_B),
        (VILLAGE_C1, "鼓楼村", "village", TOWNSHIP_C),
    ]
    out = {}
    for code, name, level, parent in tree:
        out[code] = Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    return out


def register_households(user, n, *, village=VILLAGE_A2, start=0):
    """``n`` two-person households (heads 赵NNN born from 1950, spouses 钱NNN), registered
    by ``user`` through the registry service in ``village``."""
    import datetime

    from registry import services
    from registry.synthetic import make_id_number

    for i in range(start, start + n):
        services.register_household(
            user, region=village, address=f"西关{i}号", registration="rural",
            members=[
                {"name": f"赵{i:03d}", "relation": "head",
                 "id_number": make_id_number("370811", datetime.date(1950, 1, 1) + datetime.timedelta(days=i), i)},
                {"name": f"钱{i:03d}", "relation": "spouse",
                 "id_number": make_id_number("370811", datetime.date(1952, 1, 1) + datetime.timedelta(days=i), i + 500)},
            ],
        )


@pytest.fixture
def as_user(client):
    """``as_user(user)``: the test client, signed in as ``user``."""
    def login(user):
        client.force_login(user)
        return client

    return login


def make_staff(username, roles, region_code, **extra):
    from django.contrib.auth.models import Group

    from staff.models import User

    user = User.objects.create_user(username=username, password=PASSWORD, region_id=region_code, **extra)
    user.groups.set([Group.objects.get(name=r) for r in roles])
    return User.objects.get(pk=user.pk)  # fresh: no cached roles or permissions


@pytest.fixture
def alice(regions):
    return make_staff("alice", [Role.CASEWORKER], TOWNSHIP_A, last_name="李", first_name="丽")


@pytest.fixture
def amy(regions):
    """A second caseworker of township A: the other investigator."""
    return make_staff("amy", [Role.CASEWORKER], TOWNSHIP_A, last_name="周", first_name="敏")


@pytest.fixture
def bob(regions):
    return make_staff("bob", [Role.CASEWORKER], TOWNSHIP_B)


@pytest.fixture
def hana(regions):
    return make_staff("hana", [Role.TOWNSHIP_HEAD], TOWNSHIP_A)


@pytest.fixture
def carol(regions):
    return make_staff("carol", [Role.COUNTY_REVIEWER], COUNTY)


@pytest.fixture
def fiona(regions):
    return make_staff("fiona", [Role.COUNTY_FINANCE], COUNTY)


@pytest.fixture
def sam(regions):
    return make_staff("sam", [Role.SUPERVISOR], COUNTY)


@pytest.fixture
def otto(regions):
    return make_staff("otto", [Role.SUPERVISOR], COUNTY_2)


@pytest.fixture
def cindy(regions):
    """The city's supervisor: both counties."""
    return make_staff("cindy", [Role.SUPERVISOR], CITY, last_name="陈", first_name="欣")


@pytest.fixture
def root(regions):
    from staff.models import User

    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def household(alice):
    """An elderly couple in village A1: he was born in 1938, holds a first-generation
    card; she has a grade-2 physical disability and lives with serious illness."""
    from registry import services

    return services.register_household(
        alice,
        region=VILLAGE_A1,
        address="东关社区3号楼2单元101",
        registration="urban",
        members=[
            {"name": "王德明", "id_number": "370811380512031", "relation": "head", "conditions": ["empty_nest"]},
            {"name": "张秀英", "id_number": "37081119400302058X", "relation": "spouse",
             "disability_kind": "physical", "disability_grade": 2, "conditions": ["serious_illness"]},
        ],
    )


def pytest_terminal_summary(terminalreporter):
    """The security tests' totals (tests/security/: routes, roles, requests, examples),
    printed at the end of the run. Each test records its own with
    ``record_property("security_totals", {...})``, which pytest-xdist carries from its
    workers to this report; this hook lives here, not in tests/security/, because the
    xdist controller collects nothing and loads only the top conftest."""
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", "") != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name == "security_totals":
                    lines += [f"{part}: " + ", ".join(f"{k} {v}" for k, v in totals.items())
                              for part, totals in value.items()]
    if lines:
        terminalreporter.write_sep("-", "security totals")
        for line in sorted(lines):
            terminalreporter.write_line(line)
