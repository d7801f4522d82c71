"""Temporary-assistance pages: opening a case, the case list and page, task pages with
their step forms, and the work queues.

Cases are walked through the pages as their staff would; the step services and the
engine are the ones the API uses. alice and amy are caseworkers of township A, hana
its head, carol the county reviewer; bob (township B) and otto (the other county)
are the outsiders.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from viewflow.workflow.models import Task

from assistance.models import Application
from audit.models import AuditEvent
from deadlines.calendar_admin import load_year
from deadlines.models import Deadline
from documents.models import Document
from tests.assistance.conftest import do, new_case, open_steps, open_task
from tests.conftest import TOWNSHIP_A, make_staff
from tests.deadlines.conftest import at
from workflows.temporary.models import Status

from .conftest import error_messages

pytestmark = pytest.mark.django_db

START = at(2026, 3, 16, 9)
BAD_AMOUNTS = ["12.345", "-5", "abc"]


@pytest.fixture(autouse=True)
def _calendar_and_clock(db, time_machine):
    load_year(2025)
    load_year(2026)
    time_machine.move_to(START)


def task_url(application, step, name="task_detail") -> str:
    return reverse(name, args=[open_task(application, step).subject_id])


def reload(application) -> Application:
    return Application.objects.get(pk=application.pk)  # protected FSM field: no refresh_from_db


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def investigated(alice, household, **overrides):
    """A case waiting for the township's decision."""
    application = new_case(alice, household, **overrides)
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="入户核实，夫妻二人均患病",
       recommended_amount="800.00")
    return application


# --- Opening a case ---------------------------------------------------------------------------------

def application_post(household, **overrides):
    data = {"program": "temporary", "kind": "expense", "cause_category": "other", "cause": "老伴住院，自付医疗费用",
            "amount_requested": "1200.00", "applicant": str(household.head.pk)}
    data.update(overrides)
    return data


def test_caseworker_opens_a_case_and_lands_on_its_intake(as_user, alice, household):
    client = as_user(alice)
    form_page = client.get(reverse("application_create", args=[household.pk]))
    assert form_page.status_code == 200
    assert 'name="new_cause"' not in form_page.content.decode()  # only when a repeat needs it
    response = client.post(reverse("application_create", args=[household.pk]), application_post(household))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == task_url(application, "intake")
    assert application.created_by == alice and application.status == Status.INTAKE
    assert str(application.amount_requested) == "1200.00"


def test_the_household_can_come_from_the_query_string(as_user, alice, household):
    client = as_user(alice)
    assert client.get(reverse("application_create") + f"?household={household.pk}").status_code == 200
    assert client.get(reverse("application_create") + "?household=abc").status_code == 404


def test_without_a_household_the_page_finds_one(as_user, alice, household):
    client = as_user(alice)
    response = client.get(reverse("application_create"), {"q": "王德明"})
    assert response.status_code == 200
    assert reverse("application_create", args=[household.pk]) in response.content.decode()
    assert "370811380512031" not in response.content.decode()


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_bad_amount_requested_is_shown_on_the_field_and_nothing_is_saved(as_user, alice, household, amount):
    response = as_user(alice).post(reverse("application_create", args=[household.pk]),
                                   application_post(household, amount_requested=amount, cause="火灾烧毁房屋"))
    assert response.status_code == 400
    assert response.context["form"].errors["amount_requested"]
    html = response.content.decode()
    assert "火灾烧毁房屋" in html and f'value="{amount}"' in html  # everything typed is kept
    assert not Application.objects.exists()


def test_a_repeat_application_asks_for_the_new_cause(as_user, alice, household):
    client = as_user(alice)
    data = application_post(household, cause_category="major_illness", amount_requested="3000.00")
    assert client.post(reverse("application_create", args=[household.pk]), data).status_code == 302
    response = client.post(reverse("application_create", args=[household.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["new_cause"]
    assert 'name="new_cause"' in response.content.decode()
    response = client.post(reverse("application_create", args=[household.pk]),
                           {**data, "new_cause": "确诊新的重大疾病（肾衰竭）"})
    assert response.status_code == 302
    assert Application.objects.filter(temporary__repeat_of__isnull=False).count() == 1


def test_who_may_open_a_case(as_user, alice, bob, otto, fiona, hana, household):
    url = reverse("application_create", args=[household.pk])
    assert as_user(bob).get(url).status_code == 404
    assert as_user(bob).post(url, application_post(household)).status_code == 404
    assert as_user(otto).get(url).status_code == 403  # the role first: supervisors do not take applications
    assert as_user(fiona).get(url).status_code == 403
    assert as_user(hana).post(url, application_post(household)).status_code == 403
    assert not Application.objects.exists()


# --- The case list and page ---------------------------------------------------------------------------

def test_the_list_is_scoped_and_filtered(as_user, alice, amy, bob, sam, otto, household):
    first = new_case(alice, household)
    second = investigated(alice, household, cause="孩子上学费用", amount_requested="900.00")
    listed = lambda client, **q: {a.pk for a in client.get(reverse("application_list"), q).context["page"]}  # noqa: E731
    assert listed(as_user(alice)) == {first.pk, second.pk}
    assert listed(as_user(sam)) == {first.pk, second.pk}
    assert listed(as_user(bob)) == set()
    assert listed(as_user(otto)) == set()
    client = as_user(alice)
    assert listed(client, status="township_review") == {second.pk}
    assert listed(client, status="open") == {first.pk, second.pk}
    assert listed(client, q="王德明") == {first.pk, second.pk}
    assert listed(client, q=str(first.pk)) == {first.pk}
    assert listed(client, region=TOWNSHIP_A) == {first.pk, second.pk}
    assert listed(client, region="370812001000") == set()  # outside her region: nothing, not everything
    html = client.get(reverse("application_list")).content.decode()
    assert household.head.masked_id in html and household.head.id_number not in html


def test_the_list_exports_to_excel(as_user, alice, household):
    application = new_case(alice, household)
    response = as_user(alice).get(reverse("application_export"), {"status": "intake"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == application.pk and rows[1][2] == household.head.masked_id
    assert AuditEvent.objects.filter(event="assistance.applications.exported").exists()
    bad = as_user(alice).get(reverse("application_export"), {"region": "370812001000"})
    assert bad.status_code == 302


def test_the_case_page_for_each_role(as_user, alice, amy, hana, carol, sam, fiona, bob, otto, household):
    application = investigated(alice, household)
    url = reverse("application_detail", args=[application.pk])
    for user in (alice, amy, hana, carol, sam, fiona):
        assert as_user(user).get(url).status_code == 200, user.username
    for outsider in (bob, otto):
        assert as_user(outsider).get(url).status_code == 404
    html = as_user(alice).get(url).content.decode()
    assert household.head.masked_id in html and household.head.id_number not in html
    assert "1,200.00" in html and "800.00" in html
    assert "入户核实" in html and "周敏" in html  # findings and investigators
    assert task_url(application, "township_approve") not in html  # alice may not open the head's task
    assert task_url(application, "township_approve") in as_user(hana).get(url).content.decode()


# --- Task pages ----------------------------------------------------------------------------------------

def test_outsiders_get_404_on_task_pages_and_posts(as_user, alice, bob, otto, household):
    application = new_case(alice, household)
    task_id = open_task(application, "intake").subject_id
    for outsider in (bob, otto):
        client = as_user(outsider)
        assert client.get(reverse("task_detail", args=[task_id])).status_code == 404
        assert client.post(reverse("task_detail", args=[task_id]), {"complete": "yes", "local": "on"}).status_code == 404
        assert client.post(reverse("task_claim", args=[task_id])).status_code == 404
        assert client.post(reverse("task_release", args=[task_id])).status_code == 404
    assert reload(application).status == Status.INTAKE and open_steps(application) == ["intake"]


def test_wrong_role_gets_403(as_user, alice, amy, fiona, carol, household):
    application = investigated(alice, household)
    url = task_url(application, "township_approve")
    assert as_user(alice).get(url).status_code == 403
    assert as_user(alice).post(url, {"decision": "approve", "amount_approved": "800.00"}).status_code == 403
    assert as_user(alice).post(reverse("task_claim", args=[open_task(application, "township_approve").subject_id])
                               ).status_code == 403
    assert as_user(carol).post(url, {"decision": "approve", "amount_approved": "800.00"}).status_code == 403
    assert as_user(fiona).get(reverse("task_inbox")).status_code == 403
    assert as_user(fiona).get(reverse("approval_queue")).status_code == 403
    assert as_user(alice).get(reverse("approval_queue")).status_code == 403
    assert reload(application).status == Status.TOWNSHIP_REVIEW


def test_a_supervisor_follows_a_task_without_its_form(as_user, alice, sam, household):
    application = new_case(alice, household)
    response = as_user(sam).get(task_url(application, "intake"))
    assert response.status_code == 200 and response.context["form"] is None
    assert as_user(sam).post(task_url(application, "intake"), {"complete": "yes"}).status_code == 403


def test_claiming_twice_the_second_gets_a_conflict(as_user, alice, amy, household):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    claim = task_url(application, "investigate", "task_claim")
    first = as_user(amy).post(claim)
    assert first.status_code == 302
    second = as_user(alice).post(claim)
    assert second.status_code == 409
    assert any("已" in m or "taken" in m for m in page_messages(second))
    assert Task.objects.get(pk=open_task(application, "investigate").subject_id).owner == amy
    assert open_task(application, "investigate").assignee == amy
    # The task's page says who has it and offers alice no form.
    page = as_user(alice).get(task_url(application, "investigate"))
    assert page.context["form"] is None and "周敏" in page.content.decode()
    assert as_user(alice).post(task_url(application, "investigate"),
                               {"investigators": ["alice", "amy"], "findings": "x"}).status_code == 403


def test_release_puts_the_task_back_in_the_queue(as_user, alice, amy, household):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    client = as_user(amy)
    client.post(task_url(application, "investigate", "task_claim"))
    assert client.post(task_url(application, "investigate", "task_release")).status_code == 302
    assert open_task(application, "investigate").assignee is None
    assert as_user(alice).post(task_url(application, "investigate", "task_release")).status_code == 409


def test_the_walk_through_the_pages(as_user, alice, amy, hana, household, django_capture_on_commit_callbacks):
    client = as_user(alice)
    response = client.post(reverse("application_create", args=[household.pk]),
                           application_post(household, amount_requested="1500.00"))
    application = Application.objects.get()

    # Intake: the page shows the step and its form; done, the next task is hers to do.
    intake = client.get(response["Location"])
    assert intake.status_code == 200 and intake.context["form"].__class__.__name__ == "IntakeForm"
    response = client.post(response["Location"], {"complete": "yes", "local": "on"})
    assert response.status_code == 302 and response["Location"] == task_url(application, "investigate")
    assert reload(application).status == Status.INVESTIGATION

    # Investigation: two investigators picked from the township's staff.
    page = client.get(response["Location"])
    choices = dict(page.context["form"].fields["investigators"].choices)
    assert set(choices) == {"alice", "amy", "hana"}
    response = client.post(response["Location"], {"investigators": ["alice", "amy"], "findings": "入户核实属实",
                                                   "recommended_amount": "1000.00"})
    assert response.status_code == 302
    assert response["Location"] == reverse("application_detail", args=[application.pk])  # the head decides next
    assert reload(application).status == Status.TOWNSHIP_REVIEW

    # The head finds it in her approval queue and approves a small amount.
    head = as_user(hana)
    queue = head.get(reverse("approval_queue"))
    assert [d.application_id for d in queue.context["page"]] == [application.pk]
    assert "1,500.00" in queue.content.decode() and "1,000.00" in queue.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(task_url(application, "township_approve"),
                             {"decision": "approve", "amount_approved": "1000.00", "reason": "符合条件"})
    assert response.status_code == 302
    application = reload(application)
    assert application.status == Status.APPROVED and str(application.amount_approved) == "1000.00"
    assert open_steps(application) == ["disburse"]

    # The case page shows the decision, the documents to download, and the history.
    page = head.get(reverse("application_detail", args=[application.pk]))
    html = page.content.decode()
    kinds = set(Document.objects.filter(application=application).values_list("kind", flat=True))
    assert kinds == {"approval_form", "decision_notice"}
    for document in Document.objects.filter(application=application):
        url = reverse("document_download", args=[document.pk])
        assert url in html
        assert head.get(url)["Content-Type"] == "application/pdf"
    assert "符合条件" in html and "1,000.00" in html
    assert [e.event.rsplit(".", 1)[1] for e in page.context["history"]] == [
        "opened", "accepted", "investigated", "approved"]


def test_the_rejection_path(as_user, alice, amy, hana, household, django_capture_on_commit_callbacks):
    application = investigated(alice, household)
    url = task_url(application, "township_approve")
    client = as_user(hana)
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "reject", "reason": "家庭人均收入高于当地标准"})
    assert response.status_code == 302
    application = reload(application)
    assert application.status == Status.REJECTED and open_steps(application) == []
    html = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "家庭人均收入高于当地标准" in html
    assert Document.objects.filter(application=application, kind="rejection_notice").exists()
    # The done task's page says so and offers no form.
    done = client.get(url)
    assert done.status_code == 200 and done.context["form"] is None


def test_referral_reaches_the_county_queue(as_user, alice, amy, hana, carol, household):
    application = investigated(alice, household, amount_requested="5000.00")
    as_user(hana).post(task_url(application, "township_approve"), {"decision": "refer", "reason": "超过乡镇审批额度"})
    assert open_steps(application) == ["county_approve"]
    queue = as_user(carol).get(reverse("approval_queue"))
    assert [d.application_id for d in queue.context["page"]] == [application.pk]
    assert as_user(hana).get(reverse("approval_queue")).context["page"].paginator.count == 0
    page = as_user(carol).get(task_url(application, "county_approve"))
    assert [c for c, _label in page.context["form"].fields["decision"].choices] == ["approve", "reject"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_bad_money_on_a_decision_changes_nothing(as_user, alice, amy, hana, household, amount):
    application = investigated(alice, household)
    events = AuditEvent.objects.count()
    response = as_user(hana).post(task_url(application, "township_approve"),
                                  {"decision": "approve", "amount_approved": amount, "reason": "同意"})
    assert response.status_code == 400
    assert response.context["form"].errors["amount_approved"]
    assert f'value="{amount}"' in response.content.decode() and "同意" in response.content.decode()
    assert reload(application).status == Status.TOWNSHIP_REVIEW and reload(application).amount_approved is None
    assert AuditEvent.objects.count() == events
    assert open_task(application, "township_approve").assignee is None  # not even claimed


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_bad_money_on_the_investigation(as_user, alice, amy, household, amount):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    response = as_user(alice).post(task_url(application, "investigate"),
                                   {"investigators": ["alice", "amy"], "findings": "属实", "recommended_amount": amount})
    assert response.status_code == 400 and response.context["form"].errors["recommended_amount"]
    assert reload(application).status == Status.INVESTIGATION


def test_service_refusals_land_on_the_form(as_user, alice, amy, hana, household):
    application = investigated(alice, household, amount_requested="3500.00")
    response = as_user(hana).post(task_url(application, "township_approve"),
                                  {"decision": "approve", "amount_approved": "3000.01", "reason": "同意"})
    assert response.status_code == 400
    assert "3,000.00" in " ".join(response.context["form"].errors["amount_approved"])
    # An investigation of one person is refused on the form before the service sees it.
    second = new_case(alice, household, cause="另一原因")
    do(alice, second, "intake", complete=True)
    response = as_user(alice).post(task_url(second, "investigate"), {"investigators": ["alice"], "findings": "属实"})
    assert response.status_code == 400 and response.context["form"].errors["investigators"]


def test_an_investigator_may_not_approve(as_user, alice, amy, household, regions):
    hu = make_staff("hu", ["township_head", "caseworker"], TOWNSHIP_A)
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["amy", "hu"], findings="属实")
    response = as_user(hu).post(task_url(application, "township_approve"),
                                {"decision": "approve", "amount_approved": "800.00"})
    assert response.status_code == 403
    assert page_messages(response)
    assert reload(application).status == Status.TOWNSHIP_REVIEW


def test_incomplete_intake_lists_what_is_missing(as_user, alice, household):
    application = new_case(alice, household)
    client = as_user(alice)
    response = client.post(task_url(application, "intake"), {"complete": "no", "local": "on", "missing": ""})
    assert response.status_code == 400 and response.context["form"].errors["missing"]
    response = client.post(task_url(application, "intake"),
                           {"complete": "no", "local": "on", "missing": "医院诊断证明\n费用清单\n"})
    assert response.status_code == 302
    assert reload(application).missing_documents == ["医院诊断证明", "费用清单"]
    assert response["Location"] == task_url(application, "receive_documents")


def test_instalments_are_typed_as_a_list(as_user, alice, amy, hana, household):
    application = investigated(alice, household)
    url = task_url(application, "township_approve")
    client = as_user(hana)
    response = client.post(url, {"decision": "approve", "amount_approved": "1000.00", "instalments": "600, 12.345"})
    assert response.status_code == 400 and response.context["form"].errors["instalments"]
    response = client.post(url, {"decision": "approve", "amount_approved": "1000.00", "instalments": "600，300"})
    assert response.status_code == 400 and "1000.00" in " ".join(response.context["form"].errors["instalments"])
    assert reload(application).status == Status.TOWNSHIP_REVIEW
    response = client.post(url, {"decision": "approve", "amount_approved": "1000.00", "instalments": "600, 400"})
    assert response.status_code == 302
    assert [str(i.amount) for i in reload(application).instalments.order_by("number")] == ["600.00", "400.00"]


def test_a_done_task_is_a_conflict(as_user, alice, household):
    application = new_case(alice, household)
    url = task_url(application, "intake")
    client = as_user(alice)
    assert client.post(url, {"complete": "yes", "local": "on"}).status_code == 302
    response = client.post(url, {"complete": "yes", "local": "on"})
    assert response.status_code == 409 and page_messages(response) and response.context["form"] is None
    assert open_steps(application) == ["investigate"]


# --- Work queues ------------------------------------------------------------------------------------------

def test_inbox_tabs(as_user, alice, amy, household):
    mine = new_case(alice, household)
    queued = new_case(alice, household, cause="另一原因")
    do(alice, queued, "intake", complete=True)
    client = as_user(amy)
    assert [d.application_id for d in client.get(reverse("task_inbox")).context["page"]] == []
    assert [d.application_id for d in client.get(reverse("task_inbox"), {"tab": "queue"}).context["page"]] == [
        queued.pk]
    alice_inbox = as_user(alice).get(reverse("task_inbox"))
    assert [d.application_id for d in alice_inbox.context["page"]] == [mine.pk]


def test_queues_put_the_overdue_first(as_user, alice, amy, hana, household, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    early = new_case(alice, household, cause="早")
    do(alice, early, "intake", complete=True)
    time_machine.move_to(at(2026, 3, 12, 9), tick=False)
    late = new_case(alice, household, cause="晚")
    do(alice, late, "intake", complete=True)
    time_machine.move_to(at(2026, 3, 13, 9), tick=False)  # the early one's 3 working days are over
    response = as_user(amy).get(reverse("task_inbox"), {"tab": "queue"})
    rows = list(response.context["page"])
    assert [d.application_id for d in rows] == [early.pk, late.pk]
    assert rows[0].is_overdue() and not rows[1].is_overdue()
    html = response.content.decode()
    assert html.count('class="badge-overdue"') == 1
    assert html.index(f'id="task-{rows[0].subject_id}"') < html.index('class="badge-overdue"') < html.index(
        f'id="task-{rows[1].subject_id}"')


def test_the_due_cell_shows_every_badge_and_links_each_row(as_user, alice, amy, household, time_machine):
    queued = new_case(alice, household)
    do(alice, queued, "intake", complete=True)
    deadline = Deadline.objects.get(application_id=queued.pk, step="investigate")
    Deadline.objects.filter(pk=deadline.pk).update(provisional=True)
    time_machine.move_to(at(2026, 3, 27, 9), tick=False)  # 3 working days are long over
    html = as_user(amy).get(reverse("task_inbox"), {"tab": "queue"}).content.decode()
    row = html[html.index(f'id="task-{deadline.subject_id}"'):]
    row = row[:row.index("</tr>")]
    assert 'class="is-overdue"' in html[html.rindex("<tr", 0, html.index(f'id="task-{deadline.subject_id}"')):][:80]
    assert f'href="{reverse("task_detail", args=[deadline.subject_id])}"' in row
    assert f'href="{reverse("application_detail", args=[queued.pk])}"' in row
    assert 'class="badge-overdue" title="' in row and 'class="tag flag" title="' in row
    assert f'<span class="nowrap">{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}</span>' in row  # Shanghai time

    Deadline.objects.filter(pk=deadline.pk).update(status="paused", provisional=False)
    html = as_user(amy).get(reverse("task_inbox"), {"tab": "queue"}).content.decode()
    row = html[html.index(f'id="task-{deadline.subject_id}"'):]
    row = row[:row.index("</tr>")]
    assert 'class="tag">' in row and "badge-overdue" not in row and "flag" not in row


def test_the_approval_queue_shows_the_fund_balance_or_a_dash(as_user, alice, amy, hana, household):
    application = investigated(alice, household)
    response = as_user(hana).get(reverse("approval_queue"))
    (row,) = response.context["page"]
    assert row.case.pk == application.pk and row.shows_fund
    html = response.content.decode()
    assert "王德明" in html and "800.00" in html


def test_menu_entries_by_permission(as_user, alice, hana, carol, fiona):
    def names(user):
        return [i["name"] for i in as_user(user).get(reverse("home")).context["nav_items"]]

    assert {"task_inbox", "application_list"} <= set(names(alice)) and "approval_queue" not in names(alice)
    # Whoever may do a case step has an inbox: a township head's claimed decisions are listed there.
    assert {"approval_queue", "task_inbox", "application_list"} <= set(names(hana))
    assert "approval_queue" in names(carol)
    assert not {"task_inbox", "approval_queue"} & set(names(fiona))


# --- A constant number of queries per list ---------------------------------------------------------------

LIST_QUERIES = 12


@pytest.fixture
def cases(alice, amy, household):
    """``cases(n)``: n cases waiting for the township's decision."""
    def make(n: int) -> None:
        while Application.objects.count() < n:
            investigated(alice, household, cause=f"原因{Application.objects.count()}")

    return make


@pytest.mark.parametrize("n", [2, 20])
def test_lists_cost_the_same_at_2_and_20_cases(as_user, alice, amy, hana, cases, n, django_assert_max_num_queries):
    cases(n)
    # Each case also gets an intake task of alice's, so her inbox has n rows too.
    for application in Application.objects.all():
        new_case(alice, application.household, cause=f"新{application.pk}")
    head = as_user(hana)  # one client: each as_user signs it in as someone else
    head.get(reverse("approval_queue"))  # warm-up: content types
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(head.get(reverse("approval_queue")).context["page"]) == n
    worker = as_user(alice)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(worker.get(reverse("task_inbox")).context["page"]) == n
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(worker.get(reverse("task_inbox"), {"tab": "queue"}).context["page"]) == 0
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(worker.get(reverse("application_list")).context["page"]) == 2 * n


def test_error_messages_helper_reads_form_errors(as_user, alice, household):
    response = as_user(alice).post(reverse("application_create", args=[household.pk]),
                                   application_post(household, amount_requested="-5"))
    assert error_messages(response.content.decode())


def test_deadline_rows_link_to_the_task_page(alice, household):
    application = new_case(alice, household)
    deadline = Deadline.objects.get(application_id=application.pk)
    from web.deadline_rows import case_of

    assert case_of(deadline).url == reverse("task_detail", args=[deadline.subject_id])


# --- Payments from the township's reserve fund ------------------------------------------------------

def approved_case(alice, hana, household, amount="1000.00"):
    application = investigated(alice, household)
    do(hana, application, "township_approve", decision="approve", amount_approved=amount, reason="符合条件")
    return application


def test_the_queue_and_the_task_show_the_funds_balance(as_user, alice, amy, hana, household, root):
    from tests.funds.conftest import open_fund

    open_fund(TOWNSHIP_A, "2500.00")
    application = investigated(alice, household)
    client = as_user(hana)
    (row,) = client.get(reverse("approval_queue")).context["page"]
    assert str(row.fund_balance) == "2500.00"
    assert "2,500.00" in client.get(reverse("approval_queue")).content.decode()
    assert client.get(task_url(application, "township_approve")).context["fund_balance"] == row.fund_balance


def test_disbursing_through_the_page(as_user, alice, amy, hana, household, root, django_capture_on_commit_callbacks):
    from tests.funds.conftest import open_fund

    open_fund(TOWNSHIP_A, "3000.00")
    application = approved_case(alice, hana, household)
    client = as_user(alice)
    page = client.get(task_url(application, "disburse")).content.decode()
    facts = page[page.index('id="payment-facts"'):page.index("</dl>", page.index('id="payment-facts"'))]
    # Before money moves: the amount in figures and capitals, the payee, the fund and what it keeps.
    assert "1,000.00" in facts and "壹仟元整" in facts and "王德明" in facts and "济阳街道" in facts
    assert "2,000.00" in facts  # 3,000 − 1,000
    refused = client.post(task_url(application, "disburse"), {})
    assert refused.status_code == 400 and reload(application).amount_paid == 0  # not confirmed: nothing paid
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(task_url(application, "disburse"), {"confirm_payment": "yes"}, follow=True)
    assert response.redirect_chain[0][0] == task_url(application, "file_with_county")
    said = " ".join(str(m) for m in response.context["messages"])
    assert "1,000.00" in said and "壹仟元整" in said and "王德明" in said and "2,000.00" in said
    application = reload(application)
    assert application.status == Status.PAID and str(application.amount_paid) == "1000.00"
    page = client.get(reverse("application_detail", args=[application.pk]))
    assert [i.status for i in page.context["instalments"]] == ["paid"]
    voucher = Document.objects.get(application=application, kind="disbursement_voucher")
    assert reverse("document_download", args=[voucher.pk]) in page.content.decode()


def test_an_empty_fund_keeps_the_task_open_with_a_warning(as_user, alice, amy, hana, household, root):
    from tests.funds.conftest import open_fund

    open_fund(TOWNSHIP_A, "100.00")
    application = approved_case(alice, hana, household)
    url = task_url(application, "disburse")
    response = as_user(alice).post(url, {"confirm_payment": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    (message,) = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert reload(application).status == Status.APPROVED and open_steps(application) == ["disburse"]
    assert [i.status for i in response.context["application"].instalments.all()] == ["waiting_funds"]


def test_a_township_without_a_fund_shows_a_dash(as_user, alice, amy, hana, household):
    investigated(alice, household)
    response = as_user(hana).get(reverse("approval_queue"))
    (row,) = response.context["page"]
    assert row.fund_balance is None and row.shows_fund


def test_urgent_help_first_then_the_paperwork(as_user, alice, amy, hana, household, root):
    from tests.funds.conftest import open_fund

    open_fund(TOWNSHIP_A, "3000.00")
    application = new_case(alice, household, kind="urgent", cause_category="fire", cause="房屋失火")
    do(alice, application, "intake", complete=True)
    client = as_user(hana)
    (row,) = client.get(reverse("approval_queue")).context["page"]
    assert row.step == "pay_first" and str(row.fund_balance) == "3000.00"
    response = client.post(task_url(application, "pay_first"), {"amount": "3000.01", "note": "火灾",
                                                                 "confirm_payment": "yes"})
    assert response.status_code == 400 and response.context["form"].errors["amount"]
    response = client.post(task_url(application, "pay_first"), {"amount": "800.00", "note": "火灾"})
    assert response.status_code == 400 and reload(application).amount_paid == 0  # not confirmed
    response = client.post(task_url(application, "pay_first"), {"amount": "800.00", "note": "火灾",
                                                                 "confirm_payment": "yes"})
    assert response.status_code == 302
    application = reload(application)
    assert application.status == Status.PAPERWORK and str(application.amount_paid) == "800.00"
    response = as_user(alice).post(task_url(application, "complete_paperwork"),
                                   {"investigators": ["alice", "amy"], "findings": "房屋烧毁属实"})
    assert response.status_code == 302 and reload(application).status == Status.TOWNSHIP_REVIEW


# --- Who acts next ---------------------------------------------------------------------------------------

def test_the_case_and_task_pages_say_who_acts_next(as_user, alice, hana, household):
    application = new_case(alice, household)  # intake is alice's: the flow assigns it to whoever received it
    intake = open_task(application, "intake")
    page = as_user(alice).get(reverse("application_detail", args=[application.pk])).content.decode()
    lines = page[page.index('id="next-actors"'):page.index("</ul>", page.index('id="next-actors"'))]
    assert "受理" in lines and "李丽" in lines and "经办人" in lines

    do(alice, application, "intake", complete=True)  # investigation: nobody's yet, the township's caseworkers
    page = as_user(hana).get(reverse("task_detail", args=[intake.subject_id])).content.decode()
    lines = page[page.index('id="next-actors"'):page.index("</ul>", page.index('id="next-actors"'))]
    assert "入户调查" in lines and "济阳街道" in lines and "经办人" in lines and "李丽" not in lines


def test_the_history_names_people_not_usernames(as_user, alice, household):
    application = new_case(alice, household)
    page = as_user(alice).get(reverse("application_detail", args=[application.pk])).content.decode()
    history = page[page.index('class="table responsive history"'):]
    assert "李丽" in history and ">alice<" not in history


# --- Rules visible before they bite ----------------------------------------------------------------------

def test_the_decision_page_shows_the_limits_and_starts_at_the_recommendation(as_user, alice, amy, hana, household):
    application = new_case(alice, household, cause_category="major_illness", amount_requested="3000.00")
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="肾衰竭住院",
       recommended_amount="3000.00")
    application = reload(application)
    page = as_user(hana).get(task_url(application, "township_approve"))
    field = page.context["form"]["amount_approved"]
    # Shandong's township limit, and the major-illness band (3–12 × the urban standard of 1,000).
    assert field.help_text == "乡镇审批限额 3,000.00 元；重大疾病 3,000.00–12,000.00 元"
    assert field.field.widget.attrs["data-max"] == "3000.00" and field.field.widget.attrs["data-min"] == "3000.00"
    assert field.value() == application.recommended_amount  # the investigation's recommendation, pre-filled
    html = page.content.decode()
    assert 'data-max="3000.00"' in html and "乡镇审批限额" in html


def test_the_urgent_payment_page_shows_the_township_limit(as_user, alice, hana, household):
    application = new_case(alice, household, kind="urgent", cause_category="fire", cause="房屋失火")
    do(alice, application, "intake", complete=True)
    page = as_user(hana).get(task_url(application, "pay_first"))
    assert "3,000.00" in page.context["form"]["amount"].help_text


def test_the_county_reviewer_reads_the_townships_referral_opinion(as_user, alice, amy, hana, carol, household):
    application = investigated(alice, household)
    do(hana, application, "township_approve", decision="refer", reason="家庭情况复杂，建议县级审批")
    page = as_user(carol).get(task_url(application, "county_approve")).content.decode()
    opinion = page[page.index('id="opinion-so-far"'):]
    assert "此前意见" in opinion and "家庭情况复杂，建议县级审批" in opinion


# --- Every role's home is its inbox ------------------------------------------------------------------------

def _work(client) -> dict:
    return {line.label: (line.count, line.text) for line in client.get(reverse("home")).context["work"]}


def test_each_roles_home_counts_its_waiting_work(as_user, alice, amy, hana, carol, fiona, sam, household):
    from tests.funds.conftest import open_fund

    open_fund(TOWNSHIP_A, "2500.00")
    application = investigated(alice, household)  # waits for hana's decision
    new_case(alice, household, cause_category="school", cause="孙子学费", amount_requested="900.00")  # alice's intake

    work = _work(as_user(alice))
    assert work["你的待办任务"][0] == 1 and "等待领取的任务" in work

    work = _work(as_user(hana))
    assert work["等你决定的审批"][0] == 1
    assert work["备用金余额（元）"][1] == "2,500.00"
    assert "你辖区内的超期事项" in work

    do(hana, application, "township_approve", decision="refer", reason="金额较大")
    assert _work(as_user(carol))["等你决定的审批"][0] == 1
    assert "待决定的备用金补充申请" in _work(as_user(fiona))
    assert "你辖区内的超期事项" in _work(as_user(sam))


def test_the_investigator_picker_warns_about_who_could_then_not_decide(as_user, alice, amy, hana, household):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    choices = dict(as_user(alice).get(task_url(application, "investigate")).context["form"]
                   .fields["investigators"].choices)
    assert "参加调查后不能审批本案" in choices["hana"]  # a township head decides temporary assistance
    assert "参加调查后不能审批本案" not in choices["amy"] and "参加调查后不能审批本案" not in choices["alice"]
