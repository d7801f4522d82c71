"""What can be exported as a job: a registry of kinds, each registered by the app that
owns the data (``web`` registers the household roster, the applications and the breach
list in its AppConfig.ready; ``visits`` the people not visited lately).

Adding an export is one ``register`` call: the job model, the task, the pages and the
clean-up are the same for every kind, and ``exports.responses.export`` answers the
list's export link, directly or with a job.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from .xlsx import XLSX


class ExportRefused(DomainError):
    """The worker will not run this job as it stands (the requester's scope or role
    changed, or a filter is no longer theirs). The message is shown to the requester."""


@dataclass(frozen=True)
class ExportKind:
    name: str
    # What the job page calls it, e.g. "Household roster".
    label: Any
    # Needed to ask for the export, to run it and to download it.
    permission: str
    # The audit event of a download: the same event as the direct export of the same data.
    audit_event: str
    # The file offered to the browser is named ``{filename}-YYYYmmdd-HHMM.xlsx``.
    filename: str
    # (user, params) -> the rows, scoped to the user; raises ExportRefused for filters the user may not use.
    select: Callable[[Any, dict], QuerySet]
    # (rows, out, *, progress, total, **write_options(params)) -> number of rows written into the
    # binary file ``out``; progress(done, total) is to be called as rows are written (once per chunk).
    write: Callable[..., int]
    # (params) -> what the writer needs besides the rows, e.g. the moment the list was seen;
    # most need nothing more.
    write_options: Callable[[dict], dict] = lambda params: {}
    # The list page the export came from (url name); the job page links back to it with the same filters.
    list_url: str = ""
    content_type: str = XLSX
    extension: str = "xlsx"


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"export kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> ExportKind:
    """The registered kind; a job whose kind is gone fails with this message."""
    try:
        return _KINDS[name]
    except KeyError:
        raise ExportRefused(_("This kind of export is not available any more.")) from None


def invalid_filters(form, message: str) -> ExportRefused:
    """The refusal of an export whose filters do not validate for the requester (a region
    no longer in theirs, or never in it): ``message`` with the form's errors in one line
    as ``%(errors)s``. Refused rather than the filter dropped, which would export more
    than was asked for."""
    errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
    return ExportRefused(message % {"errors": errors})


# Lists that depend on the time (what is overdue, who was not visited for N days) keep in
# their params, under this key, the moment the requester asked, as an ISO string: a job
# run minutes later then writes the rows the requester saw, not the rows of its own moment.
AS_OF = "as_of"


def as_of(params: dict) -> datetime.datetime:
    """The moment a time-dependent list was seen (``AS_OF``)."""
    try:
        moment = datetime.datetime.fromisoformat(params[AS_OF])
    except (KeyError, TypeError, ValueError):
        moment = None
    if moment is None or timezone.is_naive(moment):
        raise ExportRefused(_("This export does not say when its list was seen. Ask for it again."))
    return moment


def find(name: str) -> ExportKind | None:
    """The registered kind, or None for a job whose kind is gone (its page still shows)."""
    return _KINDS.get(name)
