"""Policy what-ifs: asking one (``request_run``), answering it in a Celery worker
(``run``), and taking over one whose worker died (``resume_stale``).

Asking checks who asks and what: the permission ``whatif.run_whatif`` (administrators),
a city or county of the asker's region, and the hypothetical rule's figures. Answering
reads the registry, the rules and the cases under ``readonly.reads_only``, which refuses
any statement writing to a table but the run's own; only when the answer is complete
are the run's result and its affected rows written, in one transaction.

A run moves queued → running → done or failed. Each start takes the next attempt
number under the run's row lock; progress and the answer are written only while the
attempt is still the run's, so when a stale run is taken over, the old worker (if it
was only slow) stops at its next progress report and one answer is written.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import InvalidInput, NotPermitted
from core.money import figures, parse_amount
from core.scoping import code_visible_to
from core.tasks import queue, queue_after_commit
from means.services import check_program
from notifications.services import notify
from regions.codes import Level
from regions.models import Region
from workflows.enrolment.benefits import month_start
from workflows.temporary.models import CauseCategory

from . import standard, temporary
from .models import Kind, RunStatus, WhatIfRow, WhatIfRun
from .readonly import reads_only

log = logging.getLogger(__name__)

PERMISSION = "whatif.run_whatif"
LEVELS = (Level.CITY, Level.COUNTY)
MULTIPLE_PLACES = Decimal("0.01")
MAX_MULTIPLE = Decimal("999.99")  # the band's multiples are NUMERIC(5, 2)


class _Abandoned(Exception):
    """Another attempt took the run over (its worker was thought dead): stop."""


# --- asking -------------------------------------------------------------------------------------------

def _multiple(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if (number is None or not number.is_finite() or number < 0 or number > MAX_MULTIPLE
            or number != number.quantize(MULTIPLE_PLACES)):
        errors[field] = [_("Enter a multiple such as 3 or 1.5, at most two decimal places.")]
        return None
    return number.quantize(MULTIPLE_PLACES)


def _amount(value, field: str, errors: dict, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = [_("Enter an amount in yuan, e.g. 800.00.")]
        return None
    try:
        return parse_amount(value, field)
    except InvalidInput as exc:
        errors.update(exc.errors)
        return None


def check_params(kind: str, fields: dict, today: datetime.date | None = None) -> dict:
    """The hypothetical rule of ``kind`` from what was entered, as the run keeps it
    (amounts and multiples as strings, dates ISO); InvalidInput naming each bad field."""
    errors: dict = {}
    today = today or timezone.localdate()
    if kind == Kind.STANDARD:
        program = fields.get("program") or "dibao"
        try:
            check_program(program)
        except InvalidInput as exc:
            errors.update(exc.errors)
        on = fields.get("on")
        if isinstance(on, str):
            try:
                on = datetime.date.fromisoformat(on)
            except ValueError:
                on = None
        if not isinstance(on, datetime.date):
            errors["on"] = [_("Enter the day the new standard would take effect.")]
        elif on < month_start(today):
            errors["on"] = [_("A new standard takes effect this month or later.")]
        urban = _amount(fields.get("urban"), "urban", errors)
        rural = _amount(fields.get("rural"), "rural", errors)
        if urban is None and rural is None and "urban" not in errors and "rural" not in errors:
            errors["urban"] = [_("Enter the new urban standard, the rural one, or both.")]
        if errors:
            raise InvalidInput(errors)
        return {"program": program, "on": on.isoformat(), "urban": str(urban) if urban is not None else None,
                "rural": str(rural) if rural is not None else None}
    if kind == Kind.TOWNSHIP_LIMIT:
        limit = _amount(fields.get("limit"), "limit", errors, required=True)
        if errors:
            raise InvalidInput(errors)
        return {"limit": str(limit)}
    if kind == Kind.BAND:
        cause = fields.get("cause_category")
        if cause not in CauseCategory.values:
            errors["cause_category"] = [_("Choose a cause category from the list.")]
        low = _multiple(fields.get("min_multiple"), "min_multiple", errors)
        high = _multiple(fields.get("max_multiple"), "max_multiple", errors)
        cap = _amount(fields.get("max_amount"), "max_amount", errors)
        if not errors and low is None and high is None and cap is None:
            errors["min_multiple"] = [_("Enter at least one side of the band.")]
        if low is not None and high is not None and low > high:
            errors["max_multiple"] = [_("The most is less than the least.")]
        if errors:
            raise InvalidInput(errors)
        return {"cause_category": cause, "min_multiple": None if low is None else str(low),
                "max_multiple": None if high is None else str(high), "max_amount": None if cap is None else str(cap)}
    raise InvalidInput({"kind": [_("Choose what to change.")]})


def check_region(actor, code: str) -> Region:
    region = Region.objects.filter(code=code, level__in=LEVELS).first()
    if region is None or not code_visible_to(actor, code):
        raise InvalidInput({"region": [_("Choose the city or a county of your region.")]})
    return region


def request_run(actor, *, kind: str, region: str, request=None, **fields) -> WhatIfRun:
    """Record a what-if and queue its answer once this transaction commits."""
    if not actor.has_perm(PERMISSION):
        raise NotPermitted(_("Only administrators run policy what-ifs."))
    errors: dict = {}
    try:
        place = check_region(actor, region)
    except InvalidInput as exc:
        errors.update(exc.errors)
        place = None
    try:
        params = check_params(kind, fields)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        run = WhatIfRun.objects.create(kind=kind, region_code=place.code, params=params, requested_by=actor)
        audit.record("whatif.run.requested", actor=actor, obj=run, region_code=place.code,
                     extra={"kind": kind, **params}, request=request)
        queue_after_commit("whatif.run", run.pk)
    return run


# --- answering ----------------------------------------------------------------------------------------

def _start(run_id: int) -> int | None:
    """Take a queued run: its next attempt number, or None when there is nothing to do
    (answered, failed, or being answered by a live worker)."""
    with transaction.atomic():
        run = WhatIfRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.QUEUED:
            return None
        now = timezone.now()
        run.attempt += 1
        run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, now, now
        run.progress_done, run.error = 0, ""
        run.save(update_fields=["attempt", "status", "started_at", "heartbeat_at", "progress_done", "error"])
        return run.attempt


def _progress(run_id: int, attempt: int, done: int, total: int) -> None:
    # One small UPDATE per chunk, committed at once in the worker, so the page sees it.
    if not WhatIfRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()):
        raise _Abandoned


def answer(run: WhatIfRun, progress=None) -> standard.Answer:
    """The answer to ``run``'s question, computed from the database as it is. Reads only
    (the caller guards it); ``progress(done, total)`` is called as it goes."""
    region = Region.objects.get(code=run.region_code)
    p = run.params
    if run.kind == Kind.STANDARD:
        amounts = {r: Decimal(p[r]) for r in ("urban", "rural") if p.get(r) is not None}
        return standard.compute(region_code=region.code, level=region.level, program=p["program"],
                                on=datetime.date.fromisoformat(p["on"]), amounts=amounts, progress=progress,
                                chunk_size=settings.WHATIF_CHUNK_SIZE)
    if run.kind == Kind.TOWNSHIP_LIMIT:
        return temporary.township_limit(region_code=region.code, level=region.level, limit=Decimal(p["limit"]),
                                        progress=progress, today=timezone.localdate(run.created_at))

    def number(name):
        return Decimal(p[name]) if p.get(name) is not None else None

    return temporary.amount_band(region_code=region.code, level=region.level, cause_category=p["cause_category"],
                                 min_multiple=number("min_multiple"), max_multiple=number("max_multiple"),
                                 max_amount=number("max_amount"), progress=progress,
                                 today=timezone.localdate(run.created_at))


def run(run_id: int) -> WhatIfRun | None:
    """Answer the run (what the Celery task does). Returns the run when this attempt
    answered it; None when there was nothing to do or another attempt took over."""
    attempt = _start(run_id)
    if attempt is None:
        return None
    question = WhatIfRun.objects.get(pk=run_id)
    try:
        with reads_only(allowed={WhatIfRun._meta.db_table}):
            result = answer(question, progress=lambda done, total: _progress(run_id, attempt, done, total))
    except _Abandoned:
        return None
    except Exception as exc:
        # Written on the run for whoever asked; they may ask again.
        log.exception("what-if %s failed", run_id)
        WhatIfRun.objects.filter(pk=run_id, attempt=attempt).update(
            status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        return None
    with transaction.atomic():
        current = WhatIfRun.objects.select_for_update().filter(pk=run_id, attempt=attempt,
                                                               status=RunStatus.RUNNING).first()
        if current is None:
            return None
        WhatIfRow.objects.filter(run_id=run_id).delete()
        for row in result.rows:
            row.run_id = run_id
        WhatIfRow.objects.bulk_create(result.rows, batch_size=2000)
        current.result, current.status, current.finished_at = result.result, RunStatus.DONE, timezone.now()
        current.progress_done = current.progress_total or current.progress_done
        current.save(update_fields=["result", "status", "finished_at", "progress_done"])
        notify([current.requested_by], event="whatif.run.done",
               title=_("Your policy what-if is answered."), link=reverse("whatif_detail", args=[current.pk]))
    return current


def resume_stale(now: datetime.datetime | None = None) -> int:
    """Beat, every minute: a running what-if whose worker said nothing for
    WHATIF_DEAD_AFTER_SECONDS (killed, restarted) is queued again and answered anew."""
    now = now or timezone.now()
    silent_since = now - datetime.timedelta(seconds=settings.WHATIF_DEAD_AFTER_SECONDS)
    stale = WhatIfRun.objects.filter(status=RunStatus.RUNNING).filter(
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, created_at__lt=silent_since))
    count = 0
    for run_id, attempt in stale.values_list("pk", "attempt"):
        # Conditional: one requeue per silence, and none for a run that just moved on.
        if WhatIfRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).update(
                status=RunStatus.QUEUED, attempt=F("attempt") + 1):
            queue("whatif.run", run_id)
            log.warning("what-if %s: its worker stopped; answering it again", run_id)
            count += 1
    return count


def describe(run: WhatIfRun) -> str:
    """The question in words, for lists and the result page."""
    p = run.params
    if run.kind == Kind.STANDARD:
        parts = []
        if p.get("urban"):
            parts.append(_("urban %(amount)s") % {"amount": figures(Decimal(p["urban"]))})
        if p.get("rural"):
            parts.append(_("rural %(amount)s") % {"amount": figures(Decimal(p["rural"]))})
        return _("Dibao standard %(amounts)s yuan a month from %(day)s") % {"amounts": "、".join(parts), "day": p["on"]}
    if run.kind == Kind.TOWNSHIP_LIMIT:
        return _("Township approval limit %(limit)s yuan") % {"limit": figures(Decimal(p["limit"]))}
    sides = []
    if p.get("min_multiple"):
        sides.append(_("at least %(n)s × the standard") % {"n": p["min_multiple"]})
    if p.get("max_multiple"):
        sides.append(_("at most %(n)s × the standard") % {"n": p["max_multiple"]})
    if p.get("max_amount"):
        sides.append(_("at most %(amount)s yuan") % {"amount": figures(Decimal(p["max_amount"]))})
    cause = CauseCategory(p["cause_category"]).label if p.get("cause_category") in CauseCategory.values else ""
    return _("Band for %(cause)s: %(sides)s") % {"cause": cause, "sides": "，".join(str(s) for s in sides)}
