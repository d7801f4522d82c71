"""Hypothesis on the main web forms (issue 14, "Must have" 4): a household's registration,
money fields (a reserve-fund allocation, a household's income), a home visit's findings
and a temporary-assistance application, each sent by its role with arbitrary text —
NUL bytes, odd and right-to-left unicode, full-width digits, huge, negative and
exponent numbers, NaN — in every field.

Each answer is below 500, and a form either saves its whole record (and answers with
the redirect that says so) or saves nothing at all: counted in the tables it writes.
"""

from __future__ import annotations

import datetime
import itertools
import os
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from .world import build_world

pytestmark = pytest.mark.django_db

# As in the API fuzz: SECURITY_FUZZ_EXAMPLES raises it for a longer hunt outside CI.
EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "40"))
NASTY = ["", " ", "\x00", "a\x00b", "１２３４．５", "１e５", "1e309", "-1e309", "NaN", "Infinity", "-0", "0.001",
         "1_000", "+5", ".5", "9" * 40, "9" * 400, "-800.00", "800.005", "‮12", "𝟙𝟚𝟛", "٣٤٥", "' OR 1=1 --",
         "<script>alert(1)</script>", "{{7*7}}", "%00", "\ud7ff", "\U0010ffff", "null", "[]", "{}", "true"]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=80), st.text(alphabet=st.characters(codec="utf-8"),
                                                                        min_size=1, max_size=400))
NUMBER = st.one_of(TEXT, st.integers(min_value=-10**30, max_value=10**30).map(str),
                   st.decimals(allow_nan=True, allow_infinity=True).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _counts(*models) -> tuple:
    return tuple(model.objects.count() for model in models)


def _saved(response) -> bool:
    return response.status_code == 302


@pytest.fixture
def world(root, django_capture_on_commit_callbacks):
    return build_world(root, django_capture_on_commit_callbacks, only=("A",))


def test_registering_a_household(world, record_property):
    from registry.models import Household, Person, PersonCondition
    from registry.synthetic import make_id_number

    region = world.regions["A"]
    client = _signed_in(region.staff["caseworker"])
    sequence = itertools.count(900)
    tried = []

    saved = []

    @SETTINGS
    @example(address="东关路9号", name="测试户主", id_number="valid", relation="head", registration="rural", grade="",
             second=None, region_code=region.place.village)
    @given(address=TEXT, name=TEXT, id_number=st.one_of(TEXT, st.just("valid")), relation=TEXT,
           registration=st.one_of(st.sampled_from(["urban", "rural"]), TEXT), grade=NUMBER,
           second=st.one_of(st.none(), TEXT), region_code=st.one_of(st.just(region.place.village), TEXT))
    def register(address, name, id_number, relation, registration, grade, second, region_code):
        if id_number == "valid":
            id_number = make_id_number(region.place.area, datetime.date(1970, 1, 1), next(sequence) % 1000)
        members = [{"name": name, "id_number": id_number, "relation": relation, "disability_grade": grade}]
        if second is not None:
            members.append({"name": second, "id_number": second, "relation": "spouse"})
        data = {"region": region_code, "address": address, "registration": registration,
                "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": "0",
                "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "20"}
        for i, member in enumerate(members):
            data.update({f"members-{i}-{k}": v for k, v in member.items()})
        before = _counts(Household, Person, PersonCondition)
        response = client.post("/households/new/", data)
        tried.append(response.status_code)
        assert response.status_code < 500, response.status_code
        after = _counts(Household, Person, PersonCondition)
        if _saved(response):
            saved.append(response)
            assert after[0] == before[0] + 1 and after[1] == before[1] + len(members)
        else:
            assert after == before, "a refused registration saved part of itself"

    register()
    assert saved  # the form does save a good registration: the refusals are not those of a broken form
    record_property("security_totals", {"form_fuzzing_registration": {"examples": len(tried), "saved": len(saved)}})


def test_money_fields(world, record_property):
    from funds.models import LedgerEntry, ReserveFund
    from registry.models import Income

    region = world.regions["A"]
    fund_id, household = region.keys["fund"], region.keys["household"]
    finance = _signed_in(region.staff["county_finance"])
    caseworker = _signed_in(region.staff["caseworker"])
    tried, saved = [], []

    @SETTINGS
    @example(amount="1,000.00", reference="拨款001", kind="wage", start="2026-01-01")
    @given(amount=NUMBER, reference=TEXT, kind=st.one_of(st.sampled_from(["pension", "wage"]), TEXT),
           start=st.one_of(st.just("2026-01-01"), TEXT))
    def send(amount, reference, kind, start):
        before = _counts(LedgerEntry, Income), ReserveFund.objects.get(pk=fund_id).balance
        # Each rendering of the form carries its own key (forms.funds.SubmittedOnce): a new one each time.
        allocation = finance.post(f"/funds/{fund_id}/allocate/", {"amount": amount, "reference": reference,
                                                                  "once": str(uuid.uuid4())})
        income = caseworker.post(f"/households/{household}/incomes/new/", {
            "member": "", "kind": kind, "monthly_amount": amount, "start": start, "note": reference})
        tried.extend([allocation.status_code, income.status_code])
        assert allocation.status_code < 500 and income.status_code < 500, (allocation.status_code, income.status_code)
        (entries, incomes), balance = _counts(LedgerEntry, Income), ReserveFund.objects.get(pk=fund_id).balance
        assert entries == before[0][0] + _saved(allocation)
        assert (balance != before[1]) == _saved(allocation)
        assert incomes - before[0][1] <= _saved(income)  # a new income may end the one it replaces: never two
        saved.extend(r for r in (allocation, income) if _saved(r))

    send()
    assert len(saved) >= 2  # both forms save a good amount
    record_property("security_totals", {"form_fuzzing_money": {"examples": len(tried), "saved": len(saved)}})


def test_visit_findings(world, record_property):
    from visits.models import FollowUp, VisitRecord

    region = world.regions["A"]
    client = _signed_in(region.staff["caseworker"])
    visits = list(_open_visits(region))
    assert visits
    # The plans were made a moment ago and their windows opened then: a visit recorded to the
    # minute would come before it. Open them a day earlier.
    from visits.models import Visit

    Visit.objects.filter(pk__in=visits).update(window_start=timezone.now() - datetime.timedelta(days=1))
    tried, saved, refused = [], [], []

    @SETTINGS
    @example(notes="身体尚可", status="ok", note="血压正常", outcome="ok", latitude="35.4147", longitude="116.5872",
             accuracy="15", when=None)
    @given(notes=TEXT, status=st.one_of(st.sampled_from(["ok", "concern", "urgent"]), TEXT), note=TEXT,
           outcome=st.one_of(st.sampled_from(["ok", "needs_help", "danger", "not_home"]), TEXT),
           latitude=NUMBER, longitude=NUMBER, accuracy=NUMBER, when=st.one_of(st.none(), TEXT))
    def record(notes, status, note, outcome, latitude, longitude, accuracy, when):
        visited = when if when is not None else timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        data = {"client_uuid": str(uuid.uuid4()), "visited_at": visited, "method": "in_person",
                "outcome": outcome, "notes": notes, "latitude": latitude, "longitude": longitude,
                "accuracy": accuracy, "health_status": status, "health_note": note, "safety_status": status,
                "safety_note": note}
        before = _counts(VisitRecord, FollowUp)
        response = client.post(f"/visits/{visits[len(tried) % len(visits)]}/record/", data)
        tried.append(response.status_code)
        assert response.status_code < 500, response.status_code
        after = _counts(VisitRecord, FollowUp)
        if not _saved(response):
            refused.append(response.context["form"].errors if response.context and "form" in response.context
                           else response.status_code)
            assert after == before, "a refused visit record saved part of itself"
        else:
            saved.append(response)
            assert after[0] == before[0] + 1

    record()
    assert saved, refused[:3]
    record_property("security_totals", {"form_fuzzing_visits": {"examples": len(tried), "saved": len(saved)}})


def _open_visits(region):
    """The region's visits that may be recorded now: open, their window begun."""
    from visits.models import OPEN_VISIT_STATUSES, Visit

    return (Visit.objects.filter(region_code__startswith=region.place.township[:9], status__in=OPEN_VISIT_STATUSES,
                                 window_start__lte=timezone.now()).order_by("pk").values_list("pk", flat=True))


def test_temporary_assistance_application(world, record_property):
    from assistance.models import Application, Instalment
    from deadlines.models import Deadline
    from registry.models import Household

    region = world.regions["A"]
    client = _signed_in(region.staff["caseworker"])
    household = Household.objects.get(pk=region.keys["household_other"])
    tried, saved = [], []

    @SETTINGS
    @example(cause="孩子上学费用", amount="800.00", kind="expense", category="school", applicant=str(household.head.pk),
             new_cause="")
    @given(cause=TEXT, amount=NUMBER, kind=st.one_of(st.sampled_from(["urgent", "expense"]), TEXT),
           category=st.one_of(st.sampled_from(["major_illness", "school", "fire", "other"]), TEXT),
           applicant=st.one_of(st.just(str(household.head.pk)), TEXT), new_cause=TEXT)
    def apply(cause, amount, kind, category, applicant, new_cause):
        data = {"program": "temporary", "kind": kind, "cause_category": category, "cause": cause,
                "amount_requested": amount, "applicant": applicant, "new_cause": new_cause}
        before = _counts(Application, Instalment, Deadline)
        response = client.post(f"/households/{household.pk}/apply/", data)
        tried.append(response.status_code)
        assert response.status_code < 500, response.status_code
        after = _counts(Application, Instalment, Deadline)
        if _saved(response):
            saved.append(response)
            assert after[0] == before[0] + 1 and after[2] > before[2]  # the case and its first task's deadline
        else:
            assert after == before, "a refused application saved part of itself"

    apply()
    assert saved
    record_property("security_totals", {"form_fuzzing_application": {"examples": len(tried), "saved": len(saved)}})
