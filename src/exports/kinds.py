"""What can be exported as a job: a registry of kinds, each registered by the app that
owns the data (``web`` registers the household roster in its AppConfig.ready).

Adding an export (the breach list, the applications) is one ``register`` call: the job
model, the task, the pages and the clean-up are the same for every kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError


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
    # (rows, out, *, progress, total) -> number of rows written into the binary file ``out``;
    # progress(done, total) is to be called as rows are written (once per chunk).
    write: Callable[..., int]
    # The list page the export came from (url name); the job page links back to it with the same filters.
    list_url: str = ""
    content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
