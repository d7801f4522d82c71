"""What the roster pages, the PDF and the sheets read of a roster: its subtotals by
township, its lines as filtered, the inbox's counts. Read-only; every change goes
through workflows.rosters.services."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell

from core import programs
from exports.xlsx import Progress, header, keyset_chunks, local_time, report_progress, streamed_workbook, text_cell
from regions.models import Region
from workflows.rosters import services
from workflows.rosters.models import LineStatus, Roster, RosterLine, RosterProgram

from .roster_forms import RosterFilterForm

# A PDF lists the lines up to this many; a bigger roster's PDF refers to the bank file.
PDF_MAX_LINES = 2000


def township_of(region_code: str) -> str:
    return region_code[:9] + "000"


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def program_label(code: str) -> str:
    spec = programs.program(code)
    return str(spec.label) if spec is not None else str(dict(RosterProgram.choices).get(code, code))


@dataclass
class TownshipRow:
    code: str
    name: str
    lines: int
    total: Decimal
    paid: int = 0
    failed: int = 0


@dataclass
class Summary:
    roster: Roster
    county_name: str
    townships: list[TownshipRow] = field(default_factory=list)
    lines: int = 0
    total: Decimal = Decimal("0.00")
    pending: int = 0
    paid: int = 0
    failed: int = 0
    paid_total: Decimal = Decimal("0.00")


def summary(roster: Roster) -> Summary:
    """Counts and totals by township (one grouped query over the roster's lines)."""
    rows = list(roster.lines.order_by().annotate(township=Substr("region_code", 1, 9)).values("township").annotate(
        n=Count("pk"), total=Sum("amount"), paid=Count("pk", filter=Q(status=LineStatus.PAID)),
        failed=Count("pk", filter=Q(status=LineStatus.FAILED)),
        paid_total=Sum("amount", filter=Q(status=LineStatus.PAID))).order_by("township"))
    names = region_names([roster.county_code, *(row["township"] + "000" for row in rows)])
    out = Summary(roster=roster, county_name=names.get(roster.county_code, roster.county_code))
    for row in rows:
        code = row["township"] + "000"
        out.townships.append(TownshipRow(code=code, name=names.get(code, code), lines=row["n"],
                                         total=row["total"] or Decimal("0.00"), paid=row["paid"],
                                         failed=row["failed"]))
        out.lines += row["n"]
        out.total += row["total"] or Decimal("0.00")
        out.paid += row["paid"]
        out.failed += row["failed"]
        out.paid_total += row["paid_total"] or Decimal("0.00")
    out.pending = out.lines - out.paid - out.failed
    return out


def filter_lines(roster: Roster, *, status: str = "", township: str = "", q: str = "") -> QuerySet:
    lines = roster.lines.all()
    if status:
        lines = lines.filter(status=status)
    if township:
        lines = lines.filter(region_code__startswith=township[:9])
    if q:
        lines = lines.filter(Q(payee__contains=q) | Q(application__applicant__name__contains=q))
    return lines.order_by("region_code", "pk")


def with_counts(rosters: QuerySet) -> QuerySet:
    """Rosters with their lines counted by status (the inbox's 待对账, failed lines)."""
    return rosters.annotate(pending_count=Count("lines", filter=Q(lines__status=LineStatus.PENDING)),
                            paid_count=Count("lines", filter=Q(lines__status=LineStatus.PAID)),
                            failed_count=Count("lines", filter=Q(lines__status=LineStatus.FAILED)))


def filtered_rosters(user, data):
    """The rosters list as filtered (program, month), scoped to ``user``; and its form."""
    form = RosterFilterForm(data or None)
    rosters = Roster.objects.visible_to(user)
    if form.is_bound and form.is_valid():
        if form.cleaned_data["program"]:
            rosters = rosters.filter(program=form.cleaned_data["program"])
        if form.cleaned_data["month"]:
            rosters = rosters.filter(month=form.cleaned_data["month"])
    return form, rosters.order_by("-month", "county_code", "program")


# --- the summary PDF -----------------------------------------------------------------------------------

def roster_pdf(roster: Roster) -> bytes:
    from weasyprint import HTML

    facts = summary(roster)
    lines = None
    if facts.lines <= PDF_MAX_LINES:
        lines = list(roster.lines.select_related("application__applicant").order_by("region_code", "pk"))
        villages = region_names(line.region_code for line in lines)
        for line in lines:
            line.village = villages.get(line.region_code, line.region_code)
    html = render_to_string("rosters/roster_pdf.html", {
        "roster": roster, "s": facts, "program_label": program_label(roster.program), "lines": lines,
        "max_lines": PDF_MAX_LINES, "generated_at": timezone.now()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# --- Excel: the lines of a roster, the rosters list, the bank file --------------------------------------

CHUNK = 5000


def money_cell(sheet, amount) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=amount)
    cell.number_format = "#,##0.00"
    return cell


def write_lines(lines: QuerySet, out: IO[bytes], *, progress: Progress | None = None, total: int | None = None,
                chunk: int | None = None) -> int:
    """One row per line (account numbers masked); ``lines`` already scoped to the user."""
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = lines.count()
    statuses = dict(LineStatus.choices)
    done = 0
    rows = lines.order_by("pk").values_list("pk", "roster_id", "program", "month", "application_id",
                                             "application__applicant__name", "region_code", "people", "amount",
                                             "payee", "bank_name", "account_number", "status", "attempt",
                                             "bank_reference", "failure_reason", "settled_at")
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Roster lines"))
        header(sheet, [_("Line"), _("Roster"), _("Program"), _("Month"), _("Application"), _("Applicant"),
                       _("Township"), _("Village / community"), _("Region code"), _("People covered"),
                       _("Amount (yuan)"), _("Payee"), _("Bank"), _("Account (masked)"), _("Status"), _("Attempt"),
                       _("Bank reference"), _("Failure reason"), _("Settled at")],
               (8, 8, 12, 9, 10, 10, 14, 14, 14, 8, 12, 10, 16, 22, 8, 6, 18, 20, 17))
        for batch in keyset_chunks(rows, lambda row: Q(pk__gt=row[0]), chunk):
            names = region_names([code for row in batch for code in (row[6], township_of(row[6]))])
            for (pk, roster_id, program, month, application_id, applicant, region_code, people, amount, payee, bank,
                 number, status, attempt, reference, reason, settled_at) in batch:
                amount_cell = money_cell(sheet, amount)
                sheet.append([pk, roster_id, text_cell(sheet, program_label(program)),
                              text_cell(sheet, f"{month:%Y-%m}"), application_id, text_cell(sheet, applicant or ""),
                              text_cell(sheet, names.get(township_of(region_code), "")),
                              text_cell(sheet, names.get(region_code, "")), text_cell(sheet, region_code), people,
                              amount_cell, text_cell(sheet, payee), text_cell(sheet, bank),
                              text_cell(sheet, RosterLine(account_number=number).masked_account),
                              text_cell(sheet, statuses.get(status, status)), attempt, text_cell(sheet, reference),
                              text_cell(sheet, reason), local_time(sheet, settled_at) if settled_at else None])
            done += len(batch)
            report_progress(progress, done, total)
    return done


def write_rosters(rosters: QuerySet, out: IO[bytes], *, progress: Progress | None = None, total: int | None = None,
                  chunk: int | None = None) -> int:
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = rosters.count()
    done = 0
    rows = with_counts(rosters.order_by("pk")).select_related("locked_by")
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Payment rosters"))
        header(sheet, [_("Roster"), _("County"), _("Region code"), _("Program"), _("Month"), _("Status"),
                       _("Lines"), _("Total (yuan)"), _("To pay"), _("Paid"), _("Failed"), _("Locked at"),
                       _("Locked by")],
               (8, 12, 14, 14, 9, 16, 8, 14, 8, 8, 8, 17, 12))
        for batch in keyset_chunks(rows, lambda r: Q(pk__gt=r.pk), chunk):
            names = region_names(r.county_code for r in batch)
            for r in batch:
                total_cell = money_cell(sheet, r.total)
                sheet.append([r.pk, text_cell(sheet, names.get(r.county_code, "")), text_cell(sheet, r.county_code),
                              text_cell(sheet, program_label(r.program)), text_cell(sheet, r.month_label),
                              text_cell(sheet, r.get_status_display()), r.line_count, total_cell, r.pending_count,
                              r.paid_count, r.failed_count, local_time(sheet, r.locked_at) if r.locked_at else None,
                              text_cell(sheet, r.locked_by.display_name if r.locked_by_id else "")])
            done += len(batch)
            report_progress(progress, done, total)
    return done


def bank_xlsx(roster: Roster, out: IO[bytes]) -> int:
    """The bank file as a workbook: the same columns and rows as the CSV."""
    done = 0
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Bank file"))
        header(sheet, list(services.BANK_FILE_HEADER), (8, 14, 12, 16, 24, 12, 6, 10, 9, 10, 14))
        for row in services.bank_rows(roster):
            sheet.append([row[0], *(text_cell(sheet, value) for value in row[1:])])
            done += 1
    return done
