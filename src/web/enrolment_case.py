"""What the 低保/特困 case page shows beyond the shared case: who confirms, the
investigation and verification, the first review, the means test's arithmetic, the
public notices and objections, the whole-case limit, 特困's self-care and the spot
check — read for ``workflows/enrolment/templates/enrolment/_case_details.html``.

The means test is computed again rather than read from the stored snapshot: incomes and
rules are dated rows, so the test on the decision's day gives the same figures, and its
labels come out in the reader's language (the snapshot keeps them as they were read
then). Before a decision it is today's test, marked as such.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core import programs
from deadlines.labels import step_label
from deadlines.models import Deadline, DeadlineStatus
from means.services import means_test
from workflows.enrolment.forms import RESULT_CHOICES, SOURCE_LABELS
from workflows.enrolment.models import OPEN_STATUSES, Objection, PublicNotice, SpotCheck, Status
from workflows.enrolment.rules import MissingRule, enrolment_rule
from workflows.tekun.models import ACTIVITIES
from workflows.tekun.services import unable_to_work

from .enrolment_forms import ENROLMENT_PROGRAMS, ExtensionForm, ObjectionForm


@dataclass
class NoticeRow:
    notice: PublicNotice
    state: str  # running, ended, withdrawn, published
    state_label: str


def notice_state(notice: PublicNotice, now) -> tuple[str, str]:
    if notice.withdrawn_at is not None:
        return "withdrawn", _("Withdrawn after an objection")
    if notice.ends_at is None:
        return "published", _("Published")
    if notice.is_running(now):
        return "running", _("Running")
    if notice.starts_at > now:
        return "scheduled", _("Not started")
    return "ended", _("Ended")


def is_enrolment(application) -> bool:
    return application.program in ENROLMENT_PROGRAMS


def _means(application, details):
    """(result, on the decision's day?) — the test the decision rested on, or today's."""
    stored = (details.means or {}).get("on")
    on = None
    if stored:
        try:
            on = datetime.date.fromisoformat(stored)
        except ValueError:
            on = None
    if on is None and application.status not in OPEN_STATUSES:
        return None, False  # rejected before any review: nothing was tested for it
    try:
        return means_test(application.household, application.program, on), on is not None
    except Exception:  # noqa: BLE001 - a missing standard must not take the case page down
        return None, on is not None


def _clock(application, details) -> dict | None:
    """The whole-case clock: the program's clock (one of its ``clocks``) timing this case."""
    spec = programs.program(application.program)
    clock = (Deadline.objects.filter(application_id=application.pk, step__in=list(spec.clocks))
             .order_by("-pk").first() if spec is not None and spec.clocks else None)
    if clock is None:
        return None
    return {"deadline": clock, "label": step_label(application.program, clock.step),
            "closed": clock.status == DeadlineStatus.CLOSED, "extended": details.extended_at is not None}


def case_facts(application, user, *, objection_form=None, extension_form=None, now=None) -> dict:
    """Everything the details block shows, and the forms ``user`` may use on it now."""
    now = now or timezone.now()
    details = application.details
    if details is None:
        return {}
    results = dict(RESULT_CHOICES)
    verification = [{"source": source, "label": label, "result": details.verification.get(source, ""),
                     "result_label": results.get(details.verification.get(source, ""), "—"),
                     "found": details.verification.get(source) == "found"}
                    for source, label in SOURCE_LABELS.items()] if details.verification else []
    notices = [NoticeRow(n, *notice_state(n, now)) for n in
               PublicNotice.objects.filter(application_id=application.pk).defer("content")
               .order_by("starts_at", "round", "pk")]
    objections = list(Objection.objects.filter(application_id=application.pk).select_related("recorded_by")
                      .order_by("recorded_at", "pk"))
    means, at_decision = _means(application, details)
    running = any(row.state == "running" for row in notices)
    clock = _clock(application, details)
    may_object = (running and application.status == Status.NOTICE
                  and user.has_perm("enrolment.add_objection"))
    may_extend = (clock is not None and not clock["closed"] and details.extended_at is None
                  and application.status in OPEN_STATUSES and user.has_perm("enrolment.extend_case"))
    facts = {
        "details": details,
        "confirmed_by": (_("County (relative of staff)") if application.related_to_staff
                         else _("Township (delegated by the county)") if details.delegated else _("County")),
        "verification": verification,
        "means": means,
        "means_at_decision": at_decision,
        "amount": application.amount_approved if application.amount_approved is not None
        else application.recommended_amount,
        "notices": notices,
        "objections": objections,
        "clock": clock,
        "may_object": may_object,
        "may_extend": may_extend,
        "objection_form": objection_form or (ObjectionForm() if may_object else None),
        "extension_form": extension_form or (ExtensionForm() if may_extend else None),
        "spot_check": SpotCheck.objects.filter(application_id=application.pk).select_related("drawn_by").first(),
    }
    facts["tekun"] = hasattr(details, "self_care")
    if facts["tekun"]:
        facts["self_care"] = [{"key": key, "label": label, "done": (details.self_care or {}).get(key)}
                              for key, label in ACTIVITIES.items()] if details.self_care else []
        facts["unable_reason"] = _unable_reason(application, details)
    return facts


def _unable_reason(application, details) -> str:
    """Why the applicant is unable to work, in the reader's language: the stored reason is
    in the language of whoever recorded the investigation. Read again from the rule and
    the applicant as they were when the case was opened; the stored text when the rule
    no longer gives one."""
    if not details.unable_to_work:
        return ""
    on = timezone.localtime(application.created_at).date()
    try:
        rule = enrolment_rule(application.program, application.region_code, on)
    except MissingRule:
        return details.unable_reason
    return unable_to_work(application.applicant, rule, on) or details.unable_reason
