from __future__ import annotations

import datetime

import pytest

from registry import services
from registry.synthetic import make_id_number
from tests.conftest import VILLAGE_A2


def register(user, n, *, village=VILLAGE_A2, start=0):
    """``n`` two-person households (heads 赵NNN, spouses 钱NNN) in ``village``."""
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
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def small_inline_limit(settings):
    """Exports of more than two rows become jobs."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    return 2
