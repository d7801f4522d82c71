"""What each enrolment program's ``Program`` declaration shares (workflows/dibao/steps.py,
workflows/tekun/steps.py)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.programs import Flag

from .forms import OpeningForm
from .models import DECIDED_STATUSES, Status
from .services import open_case

__all__ = ["DOCUMENTS", "EXPORT_COLUMNS", "OpeningForm", "document_context", "flags", "open_case"]

# The document kinds (documents.DocumentKind) and the statuses each may be issued in.
DOCUMENTS = {
    "decision_notice": DECIDED_STATUSES,
    "rejection_notice": frozenset({Status.REJECTED}),
    # Told once, in writing, whatever happened afterwards: checked on the list, not the status.
    "missing_documents_notice": None,
}

# (header, column, choices): the case export maps each value through its choices (none: as it is).
EXPORT_COLUMNS = ((_("Confirmation delegated"), "delegated", ((True, _("Yes")), (False, _("No")))),
                  (_("People covered"), "household_size", ()), (_("Paid from (month)"), "paid_from", ()))


def flags(case) -> list[Flag]:
    details = case.details
    out: list[Flag] = []
    if details is None:
        return out
    if details.covered_member_id:
        out.append(Flag(gettext("Individual coverage: one member covered alone"), gettext("Covered alone")))
    found = details.found_sources()
    if found:
        from .forms import SOURCE_LABELS

        out.append(Flag(gettext("Data verification found: %(sources)s")
                        % {"sources": "、".join(str(SOURCE_LABELS.get(s, s)) for s in found)},
                        gettext("Verification found")))
    if details.extended_at is not None:
        out.append(Flag(gettext("Time limit extended: %(reason)s") % {"reason": details.extension_reason},
                        gettext("Extended")))
    return out


def document_context(case, kind: str) -> dict:
    """The decision notice prints the means test's arithmetic and the month payment starts."""
    import datetime

    from means.services import means_test

    details = case.details
    if details is None:
        return {}
    means = None
    if details.means.get("on"):
        # The test as it stood on the day of the decision (incomes and rules are dated rows,
        # so it gives the same answer), its lines translated when the notice is printed.
        means = means_test(case.household, case.program, datetime.date.fromisoformat(details.means["on"]))
    return {"enrolment": True, "means": means, "paid_from": details.paid_from,
            "household_size": details.household_size,
            "covered_member": details.covered_member.name if details.covered_member_id else ""}
