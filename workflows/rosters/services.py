"""Rosters: one service per state change (request, generate, regenerate, lock, import the
bank's results, issue a failed payment again, set an account, record a CPI reading).

Generation is the one long piece of work. It runs in a Celery task in chunks, each in
its own transaction, so its progress shows and a killed worker loses at most one
chunk. Each run takes a new run number under the roster's row lock; a chunk first
checks, under the same lock, that its run is still the roster's, so when a second
worker (a duplicate delivery, or the resumed job after a kill) starts, the first stops
at its next chunk and only one run finishes. Lines are written under the unique
(case, program, month) constraint, and the finishing run removes a draft's lines that
it did not write itself (a case stopped since): a roster regenerated twice is identical.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import time
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import Application
from audit import services as audit
from core.errors import Conflict, InvalidInput, NotPermitted
from core.scoping import code_visible_to
from core.tasks import queue, queue_after_commit
from regions.codes import Level, is_scope_prefix
from regions.models import Region
from regions.rules import in_force
from registry.models import Person
from workflows.enrolment.benefits import month_start
from workflows.enrolment.models import BenefitChange, BenefitKind

from .models import (
    PRICE_SUBSIDY,
    BankAccount,
    BankResultImport,
    CpiReading,
    ImportStatus,
    LineStatus,
    PriceSubsidyRule,
    Roster,
    RosterLine,
    RosterProgram,
    RosterStatus,
    SubsidyRecipient,
)

log = logging.getLogger(__name__)

LINE_FIELDS = ("amount", "people", "payee", "bank_name", "account_number", "region_code", "household_id")


# --- finding ----------------------------------------------------------------------------------------

def visible_roster(user, roster_id) -> Roster | None:
    try:
        roster_id = int(roster_id)
    except (TypeError, ValueError):
        return None
    return Roster.objects.visible_to(user).filter(pk=roster_id).first()


# --- requesting and generating -------------------------------------------------------------------------

def request_roster(actor, *, county: str, program: str, month: datetime.date) -> tuple[Roster, bool]:
    """The roster of ``county``, ``program`` and ``month``: the existing one, or a new one
    whose generation is queued. Asked twice at once, one roster is made (the unique
    constraint), and both callers get it."""
    if not actor.has_perm("rosters.add_roster"):
        raise NotPermitted(_("Only county finance makes payment rosters."))
    errors = {}
    region = Region.objects.filter(code=county, level=Level.COUNTY).first()
    if region is None or not code_visible_to(actor, county):
        errors["county"] = [_("Choose a county of your region.")]
    if program not in RosterProgram.values:
        errors["program"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(RosterProgram.values)}]
    latest = month_start(timezone.localdate()).replace(day=28) + datetime.timedelta(days=4)
    if month is None or month_start(month) > month_start(latest):
        errors["month"] = [_("A roster is made for this month, the next one, or a month before.")]
    if errors:
        raise InvalidInput(errors)
    month = month_start(month)
    existing = Roster.objects.filter(county_code=county, program=program, month=month).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            roster = Roster.objects.create(county_code=county, program=program, month=month, created_by=actor)
            audit.record("rosters.roster.requested", actor=actor, obj=roster, region_code=county,
                         extra={"program": program, "month": roster.month_label})
            queue_after_commit("rosters.generate", roster.pk)
    except IntegrityError:
        return Roster.objects.get(county_code=county, program=program, month=month), False
    return roster, True


def regenerate(actor, roster: Roster) -> Roster:
    """Make a draft again from the cases' schedules as they are now (a change since)."""
    if not actor.has_perm("rosters.add_roster"):
        raise NotPermitted(_("Only county finance makes payment rosters."))
    with transaction.atomic():
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        if roster.status == RosterStatus.LOCKED:
            raise Conflict(_("A locked roster never changes."))
        if roster.status == RosterStatus.GENERATING:
            raise Conflict(_("The roster is being generated."))
        roster.status = RosterStatus.GENERATING
        roster.progress_done = 0
        roster.heartbeat_at = timezone.now()
        roster.save(update_fields=["status", "progress_done", "heartbeat_at"])
        audit.record("rosters.roster.regenerated", actor=actor, obj=roster, region_code=roster.county_code)
        queue_after_commit("rosters.generate", roster.pk)
    return roster


def _take_over(roster_id: int) -> tuple[Roster, int] | None:
    """Start a run: the roster's next run number, under its row lock. None when there is nothing to generate."""
    with transaction.atomic():
        roster = Roster.objects.select_for_update().filter(pk=roster_id).first()
        # Only a roster asked for (new, or regenerated) is generated: a repeated or late
        # delivery of the task for a finished draft or a locked roster does nothing.
        if roster is None or roster.status != RosterStatus.GENERATING:
            return None
        roster.run += 1
        roster.status = RosterStatus.GENERATING
        roster.progress_done = 0
        roster.heartbeat_at = timezone.now()
        roster.error = ""
        roster.save(update_fields=["run", "status", "progress_done", "heartbeat_at", "error"])
        return roster, roster.run


def _still_mine(roster_id: int, run: int) -> Roster | None:
    roster = Roster.objects.select_for_update().filter(pk=roster_id).first()
    if roster is None or roster.run != run or roster.status != RosterStatus.GENERATING:
        return None
    return roster


def paying_cases(county_code: str, programs: list[str], month: datetime.date) -> list[tuple]:
    """(application id, program, amount, people, region code) of every case of ``programs``
    in ``county_code`` that is paid in ``month``: the schedule entry in force for the month
    (latest month not after it; latest written on a tie) pays it. One ordered scan."""
    rows = (BenefitChange.objects.filter(county_code=county_code, program__in=programs, month__lte=month)
            .order_by("application_id", "-month", "-id")
            .values_list("application_id", "program", "kind", "monthly_amount", "until_month", "household_size",
                         "region_code"))
    out, last = [], None
    for application_id, program, kind, amount, until, people, region_code in rows.iterator(chunk_size=5000):
        if application_id == last:
            continue
        last = application_id
        if kind == BenefitKind.STOP or amount <= 0 or (until is not None and month > until):
            continue
        out.append((application_id, program, amount, people, region_code))
    return out


def _accounts(application_ids) -> dict[int, tuple[str, str, str]]:
    return {a: (h, b, n) for a, h, b, n in BankAccount.objects.filter(application_id__in=application_ids)
            .values_list("application_id", "holder", "bank_name", "account_number")}


def _households(application_ids) -> dict[int, int]:
    return dict(Application.objects.filter(pk__in=application_ids).values_list("pk", "household_id"))


def _covered_people(application_ids) -> dict[int, list[int]]:
    """The people each case covers: its individually covered member, or its household's members."""
    from core.programs import detail_relations, details_of

    out: dict[int, list[int]] = {}
    # Each program's details selected with its case: one query per chunk, not one per case.
    cases = Application.objects.filter(pk__in=application_ids).select_related(*detail_relations())
    by_household: dict[int, list[int]] = {}
    for case in cases:
        details = details_of(case)
        if details is not None and details.covered_member_id:
            out[case.pk] = [details.covered_member_id]
        else:
            by_household.setdefault(case.household_id, []).append(case.pk)
    for person_id, household_id in Person.objects.filter(household_id__in=by_household).values_list(
            "pk", "household_id").order_by("pk"):
        for case_id in by_household[household_id]:
            out.setdefault(case_id, []).append(person_id)
    return out


def _subsidy_rule(county_code: str, month: datetime.date) -> PriceSubsidyRule | None:
    return in_force(PriceSubsidyRule.objects.all(), county_code, month)


def generate(roster_id: int, *, chunk_size: int | None = None) -> Roster | None:
    """Fill the roster from the schedules (what the Celery task runs). Returns the roster
    when this run finished it; None when another run took over or it is locked."""
    chunk_size = chunk_size or settings.ROSTER_CHUNK_SIZE
    started = _take_over(roster_id)
    if started is None:
        return None
    roster, run = started
    try:
        return _generate(roster, run, chunk_size)
    except Exception as exc:
        # Recorded on the roster for county finance; the run can be asked again (regenerate).
        log.exception("roster %s: generation failed", roster_id)
        with transaction.atomic():
            if _still_mine(roster_id, run) is not None:
                Roster.objects.filter(pk=roster_id).update(status=RosterStatus.DRAFT, error=str(exc)[:2000])
        raise


def _generate(roster: Roster, run: int, chunk_size: int) -> Roster | None:
    subsidy = roster.program == PRICE_SUBSIDY
    rule = _subsidy_rule(roster.county_code, roster.month) if subsidy else None
    programs = (rule.program_codes if rule else []) if subsidy else [roster.program]
    cases = paying_cases(roster.county_code, programs, roster.month)
    Roster.objects.filter(pk=roster.pk, run=run).update(progress_total=len(cases), heartbeat_at=timezone.now())
    done = 0
    for start in range(0, len(cases), chunk_size):
        chunk = cases[start:start + chunk_size]
        with transaction.atomic():
            if _still_mine(roster.pk, run) is None:
                return None
            if subsidy:
                _write_subsidy_chunk(roster, run, chunk, rule.per_person)
            else:
                _write_chunk(roster, run, chunk)
            done += len(chunk)
            Roster.objects.filter(pk=roster.pk).update(progress_done=done, heartbeat_at=timezone.now())
        if settings.ROSTER_CHUNK_PAUSE_MS:
            time.sleep(settings.ROSTER_CHUNK_PAUSE_MS / 1000)
    with transaction.atomic():
        current = _still_mine(roster.pk, run)
        if current is None:
            return None
        # A draft's lines this run did not write belong to cases no longer paid this month.
        RosterLine.objects.filter(roster=current, run__lt=run, status=LineStatus.PENDING).delete()
        totals = current.lines.aggregate(n=Count("pk"), total=Sum("amount"))
        current.line_count, current.total = totals["n"], totals["total"] or Decimal("0.00")
        current.status, current.generated_at = RosterStatus.DRAFT, timezone.now()
        current.progress_done, current.heartbeat_at = done, timezone.now()
        missed = len(cases) - current.line_count
        current.error = (_("%(n)s case(s) were already on another county's roster this month and are not repeated "
                           "here.") % {"n": missed}) if missed > 0 and not subsidy else ""
        current.save(update_fields=["line_count", "total", "status", "generated_at", "progress_done",
                                    "heartbeat_at", "error"])
        audit.record("rosters.roster.generated", obj=current, region_code=current.county_code,
                     extra={"run": run, "lines": current.line_count, "total": str(current.total)})
        return current


def _write_chunk(roster: Roster, run: int, chunk: list[tuple], amounts: dict | None = None) -> list[RosterLine]:
    ids = [row[0] for row in chunk]
    households = _households(ids)
    accounts = _accounts(ids)
    wanted = {}
    for application_id, _program, amount, people, region_code in chunk:
        holder, bank, number = accounts.get(application_id, ("", "", ""))
        amount = amounts[application_id] if amounts is not None else amount
        wanted[application_id] = {"amount": amount, "people": people, "payee": holder, "bank_name": bank,
                                  "account_number": number, "region_code": region_code,
                                  "household_id": households[application_id]}
    existing = {line.application_id: line for line in
                RosterLine.objects.filter(roster=roster, application_id__in=ids).only("pk", "application_id",
                                                                                      *LINE_FIELDS)}
    changed = []
    for application_id, line in existing.items():
        values = wanted.get(application_id)
        if values is None:
            continue
        if any(getattr(line, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(line, field, value)
            changed.append(line)
    if existing:
        RosterLine.objects.filter(pk__in=[line.pk for line in existing.values()]).update(run=run)
    if changed:
        RosterLine.objects.bulk_update(changed, LINE_FIELDS, batch_size=1000)
    new = [RosterLine(roster=roster, program=roster.program, month=roster.month, application_id=application_id,
                      run=run, **values)
           for application_id, values in wanted.items() if application_id not in existing]
    # A case already on another county's roster this month (it moved) conflicts and is left there.
    RosterLine.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return new


def _write_subsidy_chunk(roster: Roster, run: int, chunk: list[tuple], per_person: Decimal) -> None:
    """The price subsidy pays each covered person once a month: people already paid it
    this month by another roster are left out, and a case whose people all are gets no line."""
    ids = [row[0] for row in chunk]
    people = _covered_people(ids)
    everyone = [p for persons in people.values() for p in persons]
    # Paid for this month by another roster, or by this one on a case outside this chunk.
    taken = set(SubsidyRecipient.objects.filter(month=roster.month, person_id__in=everyone)
                .exclude(line__roster=roster, line__application_id__in=ids).values_list("person_id", flat=True))
    payable = {}
    for case_id in sorted(people):  # a person covered by two cases is paid on the first one
        persons = [p for p in people[case_id] if p not in taken]
        taken.update(persons)
        if persons:
            payable[case_id] = persons
    rows = [(a, p, per_person * len(payable[a]), len(payable[a]), r) for a, p, _amt, _n, r in chunk if a in payable]
    SubsidyRecipient.objects.filter(line__roster=roster, line__application_id__in=ids).delete()
    _write_chunk(roster, run, rows)
    lines = dict(RosterLine.objects.filter(roster=roster, application_id__in=list(payable))
                 .values_list("application_id", "pk"))
    SubsidyRecipient.objects.bulk_create(
        [SubsidyRecipient(line_id=lines[case_id], person_id=person_id, month=roster.month)
         for case_id, persons in payable.items() if case_id in lines for person_id in persons],
        batch_size=2000, ignore_conflicts=True)


def resume_stale(now: datetime.datetime | None = None) -> int:
    """Beat, every minute: a roster whose generating worker stopped reporting progress
    (killed, restarted) is generated again; the new run takes over from the dead one."""
    now = now or timezone.now()
    silent_since = now - datetime.timedelta(seconds=settings.ROSTER_DEAD_AFTER_SECONDS)
    stale = Roster.objects.filter(status=RosterStatus.GENERATING).filter(
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, created_at__lt=silent_since))
    count = 0
    for roster_id in stale.values_list("pk", flat=True):
        Roster.objects.filter(pk=roster_id).update(heartbeat_at=now)  # one resume per silence, not one a minute
        queue("rosters.generate", roster_id)
        log.warning("roster %s: its generation stopped; generating it again", roster_id)
        count += 1
    return count


# --- locking, bank file ----------------------------------------------------------------------------------

def lock(actor, roster: Roster, request=None) -> Roster:
    """County finance locks a reviewed draft: from now on its lines and amounts never
    change. A line without a bank account cannot be sent: it is marked failed at once, to
    be issued again when the account is on file."""
    if not actor.has_perm("rosters.lock_roster"):
        raise NotPermitted(_("Only county finance locks payment rosters."))
    with transaction.atomic():
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        if roster.status != RosterStatus.DRAFT:
            raise Conflict(_("Only a draft roster can be locked.") if roster.status == RosterStatus.LOCKED
                           else _("The roster is being generated: lock it when it is ready."))
        no_account = roster.lines.filter(account_number="").update(
            status=LineStatus.FAILED, failure_reason=_("No bank account on file"))
        roster.status, roster.locked_at, roster.locked_by = RosterStatus.LOCKED, timezone.now(), actor
        roster.save(update_fields=["status", "locked_at", "locked_by"])
        audit.record("rosters.roster.locked", actor=actor, obj=roster, region_code=roster.county_code,
                     extra={"lines": roster.line_count, "total": str(roster.total), "without_account": no_account},
                     request=request)
    return roster


BANK_FILE_HEADER = ("line", "reference", "payee", "bank", "account_number", "amount", "currency", "program",
                    "month", "application", "region_code")


def bank_rows(roster: Roster) -> Iterator[tuple]:
    """The lines to send to the bank: a locked roster's lines still to pay (a first issue,
    or a payment issued again), in a stable order."""
    if roster.status != RosterStatus.LOCKED:
        raise Conflict(_("Lock the roster before sending it to the bank."))
    rows = (roster.lines.filter(status=LineStatus.PENDING).order_by("pk")
            .values_list("pk", "attempt", "payee", "bank_name", "account_number", "amount", "application_id",
                         "region_code"))
    month = roster.month_label
    for pk, attempt, payee, bank, number, amount, application_id, region_code in rows.iterator(chunk_size=5000):
        yield (pk, f"{roster.pk}-{pk}-{attempt}", payee, bank, number, f"{amount:.2f}", "CNY", roster.program,
               month, application_id, region_code)


def bank_csv(roster: Roster) -> Iterator[str]:
    """The bank file as CSV text chunks (UTF-8 with a BOM for spreadsheet programs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(BANK_FILE_HEADER)
    for n, row in enumerate(bank_rows(roster), 1):
        writer.writerow(row)
        if n % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --- reconciliation -------------------------------------------------------------------------------------

RESULT_COLUMNS = ("line", "status", "bank_reference", "reason")
MAX_RESULT_BYTES = 64 * 1024 * 1024


def _read_results(content: bytes) -> tuple[list[dict], list[dict]]:
    errors: list[dict] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            return [], [{"row": 0, "error": _("The file is not a CSV text file (UTF-8 or GB18030).")}]
    if "\x00" in text:
        return [], [{"row": 0, "error": _("The file is not a CSV text file (UTF-8 or GB18030).")}]
    reader = csv.DictReader(io.StringIO(text))
    fields = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in ("line", "status") if c not in fields]
    if missing:
        return [], [{"row": 1, "error": _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}}]
    reader.fieldnames = fields
    rows = []
    try:
        for row in reader:
            rows.append({k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if k})
    except csv.Error as exc:
        errors.append({"row": reader.line_num, "error": _("Unreadable CSV: %(error)s") % {"error": exc}})
    return rows, errors


def import_results(actor, roster: Roster, content: bytes, *, file_name: str = "", request=None) -> BankResultImport:
    """Record the bank's results: each row marks a line paid or failed. All or nothing:
    one invalid row and nothing is applied; the report names every rejected row. A line
    already paid is never marked again (a repeated result is counted, not applied)."""
    if not actor.has_perm("rosters.reconcile_roster"):
        raise NotPermitted(_("Only county finance records the bank's results."))
    if len(content) > MAX_RESULT_BYTES:
        raise InvalidInput({"file": [_("The file is larger than %(mb)s MB.") % {"mb": MAX_RESULT_BYTES // 2**20}]})
    digest = hashlib.sha256(content).hexdigest()
    rows, errors = _read_results(content)
    if not rows and not errors:
        errors.append({"row": 1, "error": _("The file has no rows.")})
    with transaction.atomic():
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        if roster.status != RosterStatus.LOCKED:
            raise Conflict(_("Results are recorded for a locked roster."))
        ids = []
        for row in rows:
            try:
                ids.append(int(row.get("line", "")))
            except ValueError:
                pass
        lines = {pk: (status, attempt, ref) for pk, status, attempt, ref in
                 RosterLine.objects.filter(roster=roster, pk__in=ids)
                 .values_list("pk", "status", "attempt", "bank_reference")}
        seen: set[int] = set()
        paid, failed = [], []
        unchanged = 0
        for number, row in enumerate(rows, 2):  # row 1 is the header
            error = None
            try:
                line_id = int(row.get("line", ""))
            except ValueError:
                line_id = None
            status = row.get("status", "").lower()
            reference = row.get("bank_reference", "")[:60]
            reason = row.get("reason", "")[:200]
            attempt = row.get("attempt", "")
            if line_id is None:
                error = _("“line” must be a line number of this roster.")
            elif line_id not in lines:
                error = _("Line %(line)s is not on this roster.") % {"line": line_id}
            elif line_id in seen:
                error = _("Line %(line)s appears twice in the file.") % {"line": line_id}
            elif status not in (LineStatus.PAID, LineStatus.FAILED):
                error = _("“status” must be paid or failed.")
            elif status == LineStatus.PAID and not reference:
                error = _("A paid line needs the bank's reference.")
            elif status == LineStatus.FAILED and not reason:
                error = _("A failed line needs the bank's reason.")
            elif attempt and attempt != str(lines[line_id][1]):
                error = _("Line %(line)s: this result is for an earlier issue of the payment.") % {"line": line_id}
            else:
                current, _attempt, current_ref = lines[line_id]
                if current == LineStatus.PAID:
                    if status == LineStatus.PAID and reference == current_ref:
                        unchanged += 1
                    else:
                        error = _("Line %(line)s is already paid: it is never paid or failed again.") % {
                            "line": line_id}
                elif current == LineStatus.FAILED:
                    if status == LineStatus.FAILED:
                        unchanged += 1
                    else:
                        error = _("Line %(line)s failed and has not been issued again.") % {"line": line_id}
                else:
                    (paid if status == LineStatus.PAID else failed).append((line_id, reference, reason))
            if line_id is not None:
                seen.add(line_id)
            if error:
                errors.append({"row": number, "error": error})
        report = BankResultImport(roster=roster, file_name=(file_name or "")[:200], sha256=digest, rows=len(rows),
                                  uploaded_by=actor)
        if errors:
            report.status, report.errors = ImportStatus.REJECTED, errors[:1000]
            report.save()
            audit.record("rosters.results.rejected", actor=actor, obj=roster, region_code=roster.county_code,
                         extra={"rows": len(rows), "errors": len(errors), "sha256": digest}, request=request)
            return report
        now = timezone.now()
        _apply(paid, LineStatus.PAID, now)
        _apply(failed, LineStatus.FAILED, now)
        report.status, report.paid, report.failed, report.unchanged = (ImportStatus.APPLIED, len(paid), len(failed),
                                                                       unchanged)
        report.save()
        audit.record("rosters.results.applied", actor=actor, obj=roster, region_code=roster.county_code,
                     extra={"paid": len(paid), "failed": len(failed), "unchanged": unchanged, "sha256": digest},
                     request=request)
    return report


def _apply(results: list[tuple[int, str, str]], status: str, now) -> None:
    """Mark pending lines paid or failed, a few thousand per statement (an UPDATE joined to
    the rows as a VALUES list: a roster's 200,000 results in seconds). The status condition
    keeps a line from being settled twice; a batch that finds a line no longer pending
    raises, and the caller's transaction applies nothing."""
    table = connection.ops.quote_name(RosterLine._meta.db_table)
    for start in range(0, len(results), 2000):
        batch = results[start:start + 2000]
        values = ", ".join(["(%s, %s, %s)"] * len(batch))
        params = [value for pk, ref, reason in batch
                  for value in (pk, ref, reason if status == LineStatus.FAILED else "")]
        # SQLite names a VALUES list's columns column1, column2…; PostgreSQL takes them in the alias.
        names = ("column1", "column2", "column3") if connection.vendor == "sqlite" else ("id", "ref", "reason")
        alias = "v" if connection.vendor == "sqlite" else "v(id, ref, reason)"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s, bank_reference = v.{names[1]}, "  # noqa: S608 - placeholders only
                f"failure_reason = v.{names[2]}, settled_at = %s FROM (VALUES {values}) AS {alias} "
                f"WHERE {table}.id = v.{names[0]} AND {table}.status = %s",
                [status, now, *params, LineStatus.PENDING])
            if cursor.rowcount != len(batch):
                raise Conflict(_("Some lines changed while the file was read: nothing was applied."))


def reissue(actor, line_id: int, request=None) -> RosterLine:
    """Issue a failed payment again, once its account is corrected: the same line (so the
    same case and month), its next attempt, with the account as it is now."""
    if not actor.has_perm("rosters.reconcile_roster"):
        raise NotPermitted(_("Only county finance issues a payment again."))
    with transaction.atomic():
        line = RosterLine.objects.select_for_update().filter(pk=line_id).first()
        if line is None or not code_visible_to(actor, line.region_code):
            raise LookupError(line_id)
        if line.status != LineStatus.FAILED:
            raise Conflict(_("Only a failed payment is issued again.") if line.status == LineStatus.PENDING
                           else _("This payment is paid: it is never issued again."))
        account = BankAccount.objects.filter(application_id=line.application_id).first()
        if account is None or not account.account_number:
            raise Conflict(_("Record the case's bank account first."))
        if (account.account_number == line.account_number and account.bank_name == line.bank_name
                and account.holder == line.payee):
            raise Conflict(_("The account is unchanged since the payment failed: correct it first."))
        before = {"attempt": line.attempt, "account": line.masked_account, "reason": line.failure_reason}
        line.attempt += 1
        line.status, line.failure_reason, line.bank_reference, line.settled_at = LineStatus.PENDING, "", "", None
        line.payee, line.bank_name, line.account_number = account.holder, account.bank_name, account.account_number
        line.save(update_fields=["attempt", "status", "failure_reason", "bank_reference", "settled_at", "payee",
                                 "bank_name", "account_number"])
        audit.record("rosters.line.reissued", actor=actor, obj=line, region_code=line.region_code, before=before,
                     after={"attempt": line.attempt, "account": line.masked_account}, request=request)
    return line


def set_account(actor, case: Application, *, holder: str, bank_name: str, account_number: str,
                request=None) -> BankAccount:
    """Record or correct where a case is paid (caseworkers of its township, county finance)."""
    if not (actor.has_perm("rosters.change_bankaccount") or actor.has_perm("rosters.add_bankaccount")):
        raise NotPermitted(_("Your role does not record bank accounts."))
    if not code_visible_to(actor, case.region_code):
        raise LookupError(case.pk)
    errors = {}
    holder, bank_name = (holder or "").strip(), (bank_name or "").strip()
    number = (account_number or "").replace(" ", "").strip()
    if not holder:
        errors["holder"] = [_("Name the account holder.")]
    if not bank_name:
        errors["bank_name"] = [_("Name the bank.")]
    if not number.isdigit() or not 8 <= len(number) <= 34:
        errors["account_number"] = [_("An account number has 8 to 34 digits.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        account = BankAccount.objects.select_for_update().filter(application=case).first()
        before = {"holder": account.holder, "bank": account.bank_name,
                  "account": account.__str__()} if account else None
        if account is None:
            account = BankAccount(application=case)
        account.holder, account.bank_name, account.account_number = holder[:50], bank_name[:60], number
        account.updated_at, account.updated_by = timezone.now(), actor
        account.save()
        audit.record("rosters.account.recorded", actor=actor, obj=case, region_code=case.region_code, before=before,
                     after={"holder": account.holder, "bank": account.bank_name, "account": str(account)},
                     request=request)
    return account


# --- price subsidy -----------------------------------------------------------------------------------------

def record_cpi(actor, *, scope: str, month: datetime.date, cpi_yoy, food_yoy=None) -> tuple[CpiReading, list[Roster]]:
    """Record a month's CPI for a region. At or above the trigger of the rule in force
    (CPI, or food CPI), a price-subsidy roster is requested for every county of the
    region, paying each covered person once for that month."""
    if not actor.has_perm("rosters.add_cpireading"):
        raise NotPermitted(_("Only administrators record the CPI."))
    errors = {}
    if not is_scope_prefix(scope) or not scope:
        errors["scope"] = [_("A region prefix has 2, 4 or 6 digits.")]
    values = {}
    for field, value in (("cpi_yoy", cpi_yoy), ("food_yoy", food_yoy)):
        if value in (None, "") and field == "food_yoy":
            values[field] = None
            continue
        try:
            values[field] = Decimal(str(value)).quantize(Decimal("0.01"))
            if not values[field].is_finite() or abs(values[field]) >= 1000:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[field] = [_("A percentage such as 3.6.")]
    if errors:
        raise InvalidInput(errors)
    month = month_start(month)
    rule = _subsidy_rule(scope.ljust(12, "0"), month)
    triggered = rule is not None and (values["cpi_yoy"] >= rule.cpi_trigger or (
        values["food_yoy"] is not None and values["food_yoy"] >= rule.food_trigger))
    with transaction.atomic():
        if CpiReading.objects.filter(scope=scope, month=month).exists():
            raise Conflict(_("This month's CPI is already recorded for this region."))
        reading = CpiReading.objects.create(scope=scope, month=month, triggered=triggered, recorded_by=actor,
                                            **values)
        audit.record("rosters.cpi.recorded", actor=actor, obj=reading, region_code=scope.ljust(12, "0"),
                     extra={"cpi_yoy": str(values["cpi_yoy"]), "triggered": triggered})
    rosters = []
    if triggered:
        for county in Region.objects.filter(level=Level.COUNTY, code__startswith=scope).values_list("code", flat=True):
            roster, _created = _request_subsidy(actor, county, month)
            rosters.append(roster)
    return reading, rosters


def _request_subsidy(actor, county: str, month: datetime.date) -> tuple[Roster, bool]:
    existing = Roster.objects.filter(county_code=county, program=PRICE_SUBSIDY, month=month).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            roster = Roster.objects.create(county_code=county, program=PRICE_SUBSIDY, month=month, created_by=actor)
            queue_after_commit("rosters.generate", roster.pk)
    except IntegrityError:
        return Roster.objects.get(county_code=county, program=PRICE_SUBSIDY, month=month), False
    return roster, True

