"""The duplicate-benefit guard on temporary assistance's approvals: the same cause inside
the repeat period, a bank account that pays another household; the findings shown before
the decision (page and API), a grant despite them only with a reason — stored, audited,
on the case page — and, without findings, nothing asked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistance.models import Application
from audit.models import AuditEvent
from core import programs
from deadlines.models import Deadline
from tests.assistance.conftest import do, new_case
from tests.conftest import VILLAGE_A2, register_households
from workflows.guard import services as guard
from workflows.guard.models import DuplicateOverride
from workflows.rosters.models import BankAccount
from workflows.temporary.models import Status

pytestmark = pytest.mark.django_db

EMERGENCY = {"cause_category": "minor_emergency", "amount_requested": "800.00", "cause": "房屋漏雨受损"}


def to_approval(alice, household, **extra):
    fields = {**EMERGENCY, **extra}
    case = new_case(alice, household, **fields)
    do(alice, case, "intake", complete=True)
    do(alice, case, "investigate", investigators=["alice", "amy"], findings="屋顶漏雨，无力修缮",
       recommended_amount=fields["amount_requested"])
    return case


def task_id(case, step="township_approve") -> int:
    return Deadline.objects.exclude(status="closed").get(application_id=case.pk, step=step).subject_id


@pytest.fixture
def earlier(alice, amy, hana, household):
    """The household was helped for the same cause a moment ago."""
    case = to_approval(alice, household)
    do(hana, case, "township_approve", decision="approve", amount_approved="800.00")
    return Application.objects.get(pk=case.pk)


@pytest.fixture
def repeat(alice, amy, earlier, household):
    return to_approval(alice, household, new_cause="再次遭遇暴雨，房屋进一步受损")


def test_no_findings_no_question(alice, amy, hana, household, as_user):
    case = to_approval(alice, household)
    assert guard.findings_for(case.pk) == []
    html = as_user(hana).get(reverse("task_detail", args=[task_id(case)])).content.decode()
    assert 'name="decision"' in html and "override_reason" not in html and "duplicate-findings" not in html
    response = as_user(hana).post(reverse("task_detail", args=[task_id(case)]),
                                  {"decision": "approve", "amount_approved": "800.00"})
    assert response.status_code == 302
    assert Application.objects.get(pk=case.pk).status == Status.APPROVED
    assert not DuplicateOverride.objects.exists()


def test_the_same_cause_inside_the_repeat_period(earlier, repeat):
    (finding,) = guard.findings_for(repeat.pk)
    assert finding.kind == "repeat_cause" and finding.application_id == earlier.pk
    assert str(earlier.pk) in finding.text and "800.00" in finding.text and "365" in finding.text


def test_an_earlier_case_of_another_cause_or_outside_the_period_is_not_a_finding(alice, amy, earlier, household):
    from datetime import timedelta

    from django.utils import timezone

    other = to_approval(alice, household, cause_category="school", amount_requested="3000.00")
    assert guard.findings_for(other.pk) == []
    # A year and more ago: outside the 365-day repeat period.
    Application.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(days=400))
    again = to_approval(alice, household)
    assert guard.findings_for(again.pk) == []


def test_a_grant_without_a_reason_is_refused_on_the_page(hana, repeat, as_user):
    client = as_user(hana)
    url = reverse("task_detail", args=[task_id(repeat)])
    html = client.get(url).content.decode()
    assert 'id="duplicate-findings"' in html and 'name="override_reason"' in html and "疑似重复救助" in html
    response = client.post(url, {"decision": "approve", "amount_approved": "800.00"})
    assert response.status_code == 400
    assert "如仍予批准，请填写理由" in response.content.decode()
    assert Application.objects.get(pk=repeat.pk).status == Status.TOWNSHIP_REVIEW
    assert not DuplicateOverride.objects.exists()
    # A rejection grants nothing: no reason for an override is asked.
    response = client.post(url, {"decision": "reject", "reason": "同一事由已救助"})
    assert response.status_code == 302 and Application.objects.get(pk=repeat.pk).status == Status.REJECTED
    assert not DuplicateOverride.objects.exists()


def test_a_grant_with_a_reason_is_kept_audited_and_shown(hana, earlier, repeat, as_user):
    client = as_user(hana)
    response = client.post(reverse("task_detail", args=[task_id(repeat)]),
                           {"decision": "approve", "amount_approved": "800.00",
                            "override_reason": "第二次暴雨为新的灾情，经入户核实属实"})
    assert response.status_code == 302
    assert Application.objects.get(pk=repeat.pk).status == Status.APPROVED
    override = DuplicateOverride.objects.get()
    assert (override.application_id, override.step, override.decided_by) == (repeat.pk, "township_approve", hana)
    assert override.reason == "第二次暴雨为新的灾情，经入户核实属实"
    assert [f["kind"] for f in override.findings] == ["repeat_cause"]
    event = AuditEvent.objects.get(event="assistance.application.duplicate_override")
    assert event.object_id == str(repeat.pk) and event.reason == override.reason and event.actor == hana
    html = client.get(reverse("application_detail", args=[repeat.pk])).content.decode()
    assert 'id="duplicate-overrides"' in html and override.reason in html and str(earlier.pk) in html
    assert "存在疑似重复救助仍予批准" in html  # the history's line


def test_the_api_shows_the_findings_and_asks_for_the_reason(hana, earlier, repeat, client):
    client.force_login(hana)
    tid = task_id(repeat)
    detail = client.get(f"/api/v1/tasks/{tid}/").json()
    assert detail["override_required"] is True and detail["step"] == "township_approve"
    assert [(f["kind"], f["application"]) for f in detail["duplicate_findings"]] == [("repeat_cause", earlier.pk)]
    response = client.post(f"/api/v1/tasks/{tid}/complete/", {"decision": "approve", "amount_approved": "800.00"},
                           content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "override_reason" in body and body["duplicate_findings"][0]["kind"] == "repeat_cause"
    assert Application.objects.get(pk=repeat.pk).status == Status.TOWNSHIP_REVIEW
    response = client.post(f"/api/v1/tasks/{tid}/complete/",
                           {"decision": "approve", "amount_approved": "800.00", "override_reason": "  "},
                           content_type="application/json")
    assert response.status_code == 400 and not DuplicateOverride.objects.exists()
    response = client.post(f"/api/v1/tasks/{tid}/complete/",
                           {"decision": "approve", "amount_approved": "800.00", "override_reason": "新的灾情"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.APPROVED
    assert [(o["step"], o["by"], o["reason"]) for o in body["duplicate_overrides"]] == [
        ("township_approve", "hana", "新的灾情")]
    assert AuditEvent.objects.filter(event="assistance.application.duplicate_override",
                                     object_id=str(repeat.pk)).count() == 1


def test_without_findings_the_api_needs_no_reason(alice, amy, hana, household, client):
    case = to_approval(alice, household)
    client.force_login(hana)
    detail = client.get(f"/api/v1/tasks/{task_id(case)}/").json()
    assert detail["duplicate_findings"] == [] and detail["override_required"] is False
    response = client.post(f"/api/v1/tasks/{task_id(case)}/complete/",
                           {"decision": "approve", "amount_approved": "800.00"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["duplicate_overrides"] == []


def test_a_bank_account_that_pays_another_household(alice, amy, hana, household, root):
    register_households(alice, 1, village=VILLAGE_A2)
    from registry.models import Household

    neighbours = Household.objects.exclude(pk=household.pk).get()
    theirs = new_case(alice, neighbours, **EMERGENCY)
    BankAccount.objects.create(application=theirs, holder="赵000", bank_name="济宁农商银行",
                               account_number="6223091500001111")
    case = to_approval(alice, household)
    assert guard.findings_for(case.pk) == []
    BankAccount.objects.create(application=case, holder="王德明", bank_name="济宁农商银行",
                               account_number="6223091500001111")
    (finding,) = guard.findings_for(case.pk)
    assert finding.kind == "shared_account" and finding.application_id == theirs.pk
    assert finding.household_id == neighbours.pk and "1111" in finding.text and "62230915" not in finding.text
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        do(hana, case, "township_approve", decision="approve", amount_approved="800.00")
    assert set(refused.value.errors) == {"override_reason"}
    do(hana, case, "township_approve", decision="approve", amount_approved="800.00",
       override_reason="同一存折为代管的邻居老人领取，已核实")
    assert DuplicateOverride.objects.get().findings[0]["kind"] == "shared_account"


def test_every_granting_step_asks_for_the_reason_on_its_form():
    """A step that runs the guard has the field its page and the API read the reason from."""
    guarded = [(spec.code, step) for spec, step in programs.steps() if step.guard_on]
    assert {(code, step.name) for code, step in guarded} >= {
        ("temporary", "township_approve"), ("temporary", "county_approve"), ("dibao", "county_confirm"),
        ("dibao", "township_confirm"), ("tekun", "county_confirm"), ("tekun", "township_confirm")}
    for _code, step in guarded:
        assert guard.OVERRIDE_FIELD in step.fields.base_fields, step.name
