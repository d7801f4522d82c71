"""The what-if pages: asking on the form, the progress and the answer per county, the
affected households (masked) and their workbook; who may see what."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import TestCase
from openpyxl import load_workbook

from workflows.whatif.models import RunStatus, WhatIfRun

from .conftest import CITY, COUNTY, the_day

pytestmark = pytest.mark.django_db


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:800]
    return response.content.decode()


def ask(client, **fields):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/what-if/new/", fields)


@pytest.fixture
def answered(as_user, ada, city) -> WhatIfRun:
    response = ask(as_user(ada), kind="standard", region=COUNTY, program="dibao", on=the_day().isoformat(),
                   urban="", rural="900.00")
    run = WhatIfRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/what-if/{run.pk}/"
    return run


def test_the_menu_and_the_form(as_user, ada, alice, city):
    html = page(as_user(ada), "/what-if/")
    assert "政策测算" in html and 'name="rural"' in html and 'name="limit"' in html and 'name="cause_category"' in html
    assert f'value="{COUNTY}"' in html and f'value="{CITY}"' in html
    assert 'href="/what-if/"' in page(as_user(ada), "/")
    assert 'href="/what-if/"' not in page(as_user(alice), "/")
    page(as_user(alice), "/what-if/", status=403)


def test_asking_and_reading_the_answer(as_user, ada, answered):
    assert answered.status == RunStatus.DONE
    html = page(as_user(ada), f"/what-if/{answered.pk}/")
    assert "任城区" in html and 'id="whatif-counties"' in html and "whatif-chart-data" in html
    assert 'id="monthly-change">680.00<' in html and 'id="yearly-change">8,160.00<' in html
    assert 'id="newly-eligible">3<' in html
    # The affected households, masked: 张守田 → 张*田, his ID number starred.
    assert "张*田" in html and "张守田" not in html and "********" in html
    filtered = page(as_user(ada), f"/what-if/{answered.pk}/?change=newly_eligible")
    assert filtered.count('data-change="newly_eligible"') == 3 and 'data-change="amount"' not in filtered


def test_the_answer_in_english(as_user, ada, answered):
    client = as_user(ada)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = page(client, f"/what-if/{answered.pk}/")
    assert "Per county" in html and "Becomes eligible" in html and "Dibao standard" in html


def test_the_workbook_of_affected_households(as_user, ada, answered):
    response = as_user(ada).get(f"/what-if/{answered.pk}/households.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 7
    heads = {row[3] for row in rows[1:]}
    assert "张*田" in heads and not any("张守田" == h for h in heads)
    only = load_workbook(BytesIO(as_user(ada).get(f"/what-if/{answered.pk}/households.xlsx?change=amount")
                                 .content)).active
    assert len(list(only.iter_rows(values_only=True))) == 1 + 4


def test_progress_as_json_while_it_runs(as_user, ada, city):
    run = WhatIfRun.objects.create(kind="standard", region_code=COUNTY, requested_by=ada,
                                   params={"program": "dibao", "on": the_day().isoformat(), "rural": "900.00"},
                                   status=RunStatus.RUNNING, progress_done=2000, progress_total=8000)
    data = as_user(ada).get(f"/what-if/{run.pk}/status.json").json()
    assert data["finished"] is False and data["percent"] == 25 and data["rows_total"] == 8000
    html = page(as_user(ada), f"/what-if/{run.pk}/")
    assert "data-export-job" in html and "exports/job.js" in html and "whatif-counties" not in html


def test_outsiders_and_bad_input(as_user, ada, yan, alice, answered):
    page(as_user(yan), f"/what-if/{answered.pk}/", status=404)
    page(as_user(yan), f"/what-if/{answered.pk}/status.json", status=404)
    page(as_user(yan), f"/what-if/{answered.pk}/households.xlsx", status=404)
    page(as_user(alice), f"/what-if/{answered.pk}/", status=403)
    assert f"/what-if/{answered.pk}/" not in page(as_user(yan), "/what-if/")
    response = ask(as_user(ada), kind="standard", region=COUNTY, program="dibao", on=the_day().isoformat(),
                   urban="", rural="")
    assert response.status_code == 400 and "两者都填" in response.content.decode()
    response = ask(as_user(yan), kind="township_limit", region=COUNTY, limit="2000")
    assert response.status_code == 400  # 任城区 is not among 兖州区's administrator's choices
    assert WhatIfRun.objects.count() == 1


def test_the_limit_and_band_forms(as_user, ada, temporary_cases):
    client = as_user(ada)
    response = ask(client, kind="township_limit", region=CITY, limit="2000")
    run = WhatIfRun.objects.get(kind="township_limit")
    assert response.status_code == 302 and run.status == RunStatus.DONE
    html = page(client, f"/what-if/{run.pk}/")
    assert "2,500.00" in html and 'data-change="needs_county"' in html
    response = ask(client, kind="band", region=CITY, cause_category="major_illness", min_multiple="4",
                   max_multiple="10", max_amount="")
    run = WhatIfRun.objects.get(kind="band")
    html = page(client, f"/what-if/{run.pk}/")
    assert 'data-change="below_band"' in html and "3,460.00" in html
