"""One household, one chain (一户一条救助链): everything that happened to a household —
applications of every program, payments, its payment schedule, reviews and changes,
notices, home visits and letters — as one list of events, newest first.

The list is gathered from ``SOURCES``: small functions, one per kind of record, each
taking ``(user, household_id)`` and returning events. Each reads its rows through the
user's region scope (``visible_to``), returns nothing to a role without the permission
that shows those rows elsewhere, and costs a fixed number of queries whatever the number
of rows, so the whole timeline does too. Another module adds a source with
``register(source)``.

What counts as money follows the monthly statistics (workflows/reporting/refresh.py):
the reserve fund's ledger (payouts less reversals), instalments paid by county transfer,
and roster lines the bank reported paid.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from assistance.models import Application, Instalment, InstalmentSource, InstalmentStatus, instalment_label
from audit.models import AuditEvent
from core import programs
from core.money import figures
from documents.models import Document, DocumentKind
from funds.models import EntryKind, LedgerEntry
from registry.selectors import member_disclosure
from visits.models import FollowUp, FollowUpStatus, VisitRecord
from workflows.enrolment.models import BenefitChange, BenefitKind, Masking, ProactiveDelivery, ProactiveNotice
from workflows.enrolment.notices import mask_name
from workflows.reviews.models import BenefitNotice, ChangeReport, Review, ReviewStatus
from workflows.rosters.models import LineStatus, RosterLine, RosterProgram

# What each kind of event is called (the page's "kind" column and the sheet's).
KINDS = {
    "application": gettext_lazy("Application"),
    "decision": pgettext_lazy("timeline", "Decision"),
    "closed": gettext_lazy("Case closed"),
    "payment": gettext_lazy("Payment"),
    "reversal": gettext_lazy("Payment reversed"),
    "schedule": gettext_lazy("Payment schedule"),
    "review": gettext_lazy("Review"),
    "change": gettext_lazy("Change of circumstance"),
    "benefit_notice": gettext_lazy("Benefit notice"),
    "visit": gettext_lazy("Home visit"),
    "follow_up": gettext_lazy("Visit follow-up"),
    "proactive_notice": gettext_lazy("Proactive notice"),
    "document": gettext_lazy("Document"),
    "warning": gettext_lazy("Early warning"),
}


@dataclass(frozen=True)
class Event:
    when: datetime.datetime  # aware
    kind: str
    title: str
    detail: str = ""
    program: str = ""
    url: str = ""
    amount: Decimal | None = None

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.when)

    @property
    def year(self) -> int:
        return self.day.year

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def program_label(self) -> str:
        return program_label(self.program) if self.program else ""


Source = Callable[[object, int], Iterable[Event]]
SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add a source of events (usable as a decorator); adding the same one twice is harmless."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def program_label(code: str) -> str:
    spec = programs.program(code)
    if spec is not None:
        return str(spec.label)
    # The price subsidy is paid by roster without being a program of its own.
    return str(RosterProgram(code).label) if code in RosterProgram.values else code


def program_choices() -> list[tuple[str, str]]:
    """Every program an event may belong to: the registered programs and the price subsidy."""
    choices = [(code, str(label)) for code, label in programs.program_choices()]
    if RosterProgram.PRICE_SUBSIDY not in dict(choices):
        choices.append((RosterProgram.PRICE_SUBSIDY.value, str(RosterProgram.PRICE_SUBSIDY.label)))
    return choices


def household_timeline(user, household, *, program: str = "", year: int | None = None) -> list[Event]:
    """Every event of ``household`` that ``user`` may see, newest first; ``program`` and
    ``year`` (local calendar year) narrow it."""
    household_id = getattr(household, "pk", household)
    events = [event for source in list(SOURCES) for event in source(user, household_id)]
    # Of events of one moment, the one a source gave later (a decision after its receipt) comes first.
    ordered = [e for _i, e in sorted(enumerate(events), key=lambda pair: (pair[1].when, pair[0]), reverse=True)]
    return only(ordered, program=program, year=year)


def only(events: Iterable[Event], *, program: str = "", year: int | None = None) -> list[Event]:
    """``events`` of ``program`` and ``year`` (either may be left out), in their order."""
    return [e for e in events if (not program or e.program == program) and (year is None or e.year == year)]


# --- helpers the sources share ------------------------------------------------------------------

def _may(user, permission: str) -> bool:
    return user.has_perm(permission)


def _link(user, permission: str, name: str, pk) -> str:
    return reverse(name, args=[pk]) if _may(user, permission) else ""


def _case_link(user, application_id) -> str:
    return _link(user, "assistance.view_application", "application_detail", application_id)


def _case_no(application_id) -> str:
    return _("Application %(id)s") % {"id": application_id}


def _joined(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _local_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _month(day: datetime.date | None) -> str:
    return f"{day:%Y-%m}" if day else ""


def _name_for(user):
    """How this user is shown a member's name: whole where the role sees every member
    (registry.selectors), masked (张*三) where it sees only who heads the household."""
    if member_disclosure(user).all_members:
        return lambda name: name or ""
    return lambda name: mask_name(name, Masking.MIDDLE)


def _cases(user, household_id):
    return Application.objects.visible_to(user).filter(household_id=household_id)


# --- the sources --------------------------------------------------------------------------------

@register
def applications(user, household_id) -> list[Event]:
    """Each case of every program: received, decided (approved or rejected) and closed.
    A case paid monthly ends on its payment schedule (a stop); any other case is closed
    when it leaves its program's open statuses other than by a rejection, at the time its
    history records that move."""
    if not _may(user, "assistance.view_application"):
        return []
    cases = list(_cases(user, household_id)
                 .annotate(scheduled=Exists(BenefitChange.objects.filter(application=OuterRef("pk"))))
                 .only("id", "program", "status", "created_at", "decided_at", "amount_requested",
                       "amount_approved", "region_code"))
    events, closing = [], {}
    for case in cases:
        spec = programs.program(case.program)
        label, status, url = program_label(case.program), programs.status_label(case.program, case.status), \
            _case_link(user, case.pk)
        events.append(Event(case.created_at, "application",
                            _("%(program)s application received") % {"program": label},
                            _joined(_case_no(case.pk), _("status now: %(status)s") % {"status": status}),
                            case.program, url, case.amount_requested))
        if spec is None:
            continue
        if case.decided_at is not None and case.status in spec.decided_statuses:
            events.append(Event(case.decided_at, "decision", _("%(program)s approved") % {"program": label},
                                _case_no(case.pk), case.program, url, case.amount_approved))
        elif case.decided_at is not None and case.status in spec.rejected_statuses:
            events.append(Event(case.decided_at, "decision", _("%(program)s rejected") % {"program": label},
                                _case_no(case.pk), case.program, url))
        if (case.status not in spec.open_statuses and case.status not in spec.rejected_statuses
                and not case.scheduled):
            closing[str(case.pk)] = case
    if closing:
        # When each closed case entered the status it is in: the latest history row saying so.
        moved = {}
        for object_id, at, after in (AuditEvent.objects.visible_to(user)
                                     .filter(object_type="assistance.application", object_id__in=list(closing))
                                     .order_by("at", "id").values_list("object_id", "at", "after")):
            if isinstance(after, dict) and after.get("status") == closing[object_id].status:
                moved[object_id] = at
        for object_id, at in moved.items():
            case = closing[object_id]
            events.append(Event(at, "closed", _("%(program)s case closed") % {"program": program_label(case.program)},
                                _joined(_case_no(case.pk), programs.status_label(case.program, case.status)),
                                case.program, _case_link(user, case.pk)))
    return events


@register
def payments(user, household_id) -> list[Event]:
    """Money paid to the household: payouts from the township's reserve fund and their
    reversals, instalments paid by county transfer, and roster lines the bank paid."""
    if not _may(user, "assistance.view_application"):
        return []
    events = []
    ledger = (LedgerEntry.objects.visible_to(user)
              .filter(application__household_id=household_id, kind__in=[EntryKind.DISBURSEMENT, EntryKind.REVERSAL])
              .values_list("at", "kind", "amount", "instalment_number", "application_id", "application__program"))
    for at, kind, amount, number, case_id, program in ledger:
        paid = kind == EntryKind.DISBURSEMENT
        events.append(Event(at, "payment" if paid else "reversal",
                            _("Paid from the reserve fund") if paid else _("Payment from the reserve fund reversed"),
                            _joined(instalment_label(number), _case_no(case_id)), program,
                            _case_link(user, case_id), amount if paid else -amount))
    transfers = (Instalment.objects.filter(application__in=_cases(user, household_id), status=InstalmentStatus.PAID,
                                           source=InstalmentSource.COUNTY_TRANSFER)
                 .values_list("paid_at", "amount", "number", "application_id", "application__program"))
    for at, amount, number, case_id, program in transfers:
        if at is not None:
            events.append(Event(at, "payment", _("Paid by county transfer"),
                                _joined(instalment_label(number), _case_no(case_id)), program,
                                _case_link(user, case_id), amount))
    lines = (RosterLine.objects.visible_to(user).filter(household_id=household_id, status=LineStatus.PAID)
             .values_list("settled_at", "amount", "month", "program", "application_id", "people"))
    for at, amount, month, program, case_id, people in lines:
        events.append(Event(at, "payment", _("Paid by the bank for %(month)s") % {"month": _month(month)},
                            _joined(program_label(program), _case_no(case_id),
                                    _("%(n)s people") % {"n": people} if people else ""),
                            program, _case_link(user, case_id), amount))
    return events


@register
def schedule(user, household_id) -> list[Event]:
    """The payment schedule of the household's 低保 and 特困 cases: starts, adjustments,
    gradual exits and stops, on the day each was decided."""
    if not _may(user, "assistance.view_application"):
        return []
    events = []
    for entry in (BenefitChange.objects.visible_to(user).filter(application__household_id=household_id)
                  .only("application_id", "program", "kind", "month", "until_month", "monthly_amount",
                        "household_size", "created_at")):
        detail = [_("from %(month)s") % {"month": _month(entry.month)}]
        if entry.until_month:
            detail.append(_("paid until %(month)s") % {"month": _month(entry.until_month)})
        if entry.kind != BenefitKind.STOP:
            detail.append(_("%(amount)s yuan a month") % {"amount": figures(entry.monthly_amount)})
        events.append(Event(entry.created_at, "schedule", entry.get_kind_display(),
                            _joined(*detail, _case_no(entry.application_id)), entry.program,
                            _case_link(user, entry.application_id),
                            entry.monthly_amount if entry.kind != BenefitKind.STOP else None))
    return events


@register
def reviews(user, household_id) -> list[Event]:
    """Reviews of enrolled cases (opened, decided) and the changes of circumstance reported."""
    if not _may(user, "reviews.view_review"):
        return []
    events = []
    for review in (Review.objects.visible_to(user).filter(application__household_id=household_id)
                   .only("application_id", "program", "kind", "opened_at", "status", "outcome", "new_amount",
                         "decided_at")):
        url = _case_link(user, review.application_id)
        events.append(Event(review.opened_at, "review", _("%(kind)s opened") % {"kind": review.get_kind_display()},
                            _case_no(review.application_id), review.program, url))
        if review.status == ReviewStatus.DECIDED and review.decided_at:
            events.append(Event(review.decided_at, "review",
                                _("Review decided: %(outcome)s") % {"outcome": review.get_outcome_display()},
                                _case_no(review.application_id), review.program, url, review.new_amount))
    name = _name_for(user)
    for change in (ChangeReport.objects.visible_to(user).filter(application__household_id=household_id)
                   .select_related("member").only("application_id", "application__program", "kind", "occurred_on",
                                                  "reported_at", "member__name")):
        events.append(Event(change.reported_at, "change", change.get_kind_display(),
                            _joined(name(change.member.name) if change.member_id else "",
                                    _("occurred on %(day)s") % {"day": change.occurred_on.isoformat()},
                                    _case_no(change.application_id)),
                            change.application.program, _case_link(user, change.application_id)))
    return events


@register
def benefit_notices(user, household_id) -> list[Event]:
    """The written notices of a stop, cut, adjustment or gradual exit."""
    if not _may(user, "reviews.view_benefitnotice"):
        return []
    return [Event(notice.created_at, "benefit_notice", notice.get_kind_display(), _case_no(notice.application_id),
                  notice.application.program, reverse("benefit_notice_pdf", args=[notice.pk]))
            for notice in (BenefitNotice.objects.visible_to(user).filter(application__household_id=household_id)
                           .select_related("application").only("application_id", "application__program", "kind",
                                                               "created_at"))]


@register
def visits(user, household_id) -> list[Event]:
    """Home visits recorded, with what was found, and the follow-ups they opened."""
    events = []
    name = _name_for(user)
    if _may(user, "visits.view_visit"):
        for record in (VisitRecord.objects.visible_to(user).filter(visit__household_id=household_id)
                       .select_related("visit").only("visited_at", "outcome", "method", "visit_id",
                                                     "visit__person_name")):
            events.append(Event(record.visited_at, "visit",
                                _("Home visit to %(name)s") % {"name": name(record.visit.person_name)},
                                _joined(record.get_outcome_display(), record.get_method_display()), "",
                                reverse("visit_detail", args=[record.visit_id])))
    if _may(user, "visits.view_followup"):
        for follow_up in (FollowUp.objects.visible_to(user).filter(household_id=household_id)
                          .only("created_at", "done_at", "status", "person_name")):
            url = reverse("visit_follow_up", args=[follow_up.pk])
            title = _("Follow-up after a home visit to %(name)s") % {"name": name(follow_up.person_name)}
            events.append(Event(follow_up.created_at, "follow_up", title, str(FollowUpStatus.OPEN.label), "", url))
            if follow_up.status == FollowUpStatus.DONE and follow_up.done_at:
                events.append(Event(follow_up.done_at, "follow_up", title, str(FollowUpStatus.DONE.label), "", url))
    return events


@register
def proactive_notices(user, household_id) -> list[Event]:
    """Letters telling the household it may apply (救助主动告知), and how each reached it."""
    if not _may(user, "enrolment.view_proactivenotice"):
        return []
    events = []
    notices = {n.pk: n for n in ProactiveNotice.objects.visible_to(user).filter(household_id=household_id)
               .only("program", "created_at")}
    for notice in notices.values():
        events.append(Event(notice.created_at, "proactive_notice",
                            _("Told the household it may apply for %(program)s")
                            % {"program": program_label(notice.program)},
                            _("Letter %(id)s") % {"id": notice.pk}, notice.program,
                            reverse("proactive_pdf", args=[notice.pk])))
    for delivery in (ProactiveDelivery.objects.visible_to(user).filter(notice__household_id=household_id)
                     .only("notice_id", "method", "delivered_on")):
        notice = notices.get(delivery.notice_id)
        if notice is None:
            continue
        # A day without a time: placed after the letter it delivers.
        when = max(_local_start(delivery.delivered_on), notice.created_at)
        events.append(Event(when, "proactive_notice", _("Proactive notice delivered"),
                            _joined(delivery.get_method_display(), _("Letter %(id)s") % {"id": notice.pk}),
                            notice.program, reverse("proactive_pdf", args=[notice.pk])))
    return events


@register
def documents(user, household_id) -> list[Event]:
    """Documents issued for the household's cases (notices, forms, vouchers)."""
    if not _may(user, "assistance.view_application"):
        return []
    return [Event(created_at, "document", str(dict(DocumentKind.choices).get(kind, kind)),
                  _joined(instalment_label(number), _case_no(case_id)), program,
                  reverse("document_download", args=[pk]))
            for pk, kind, created_at, case_id, program, number in
            (Document.objects.visible_to(user).filter(application__household_id=household_id)
             .values_list("pk", "kind", "created_at", "application_id", "application__program",
                          "instalment__number"))]
