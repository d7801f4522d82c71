"""The statistics of a region and period as an Excel workbook and as an official-style PDF."""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from workflows.reporting.figures import Figures, Statistics

from .templatetags.reporting_tags import figure_value


def columns() -> list[tuple[str, str, str]]:
    """(header, attribute of Figures, kind): one definition for the page's table, the sheet and the PDF."""
    return [
        (pgettext("statistics", "Received"), "received", "int"),
        (pgettext("statistics", "Approved"), "approved", "int"),
        (pgettext("statistics", "Rejected"), "rejected", "int"),
        (pgettext("statistics", "Open at the end"), "open_at_end", "int"),
        (pgettext("statistics", "Average days to decision"), "average_days", "days"),
        (pgettext("statistics", "90% decided within (days)"), "p90_days", "days"),
        (pgettext("statistics", "Households covered"), "households_covered", "int"),
        (pgettext("statistics", "People covered"), "people_covered", "int"),
        (pgettext("statistics", "Paid from reserve funds (yuan)"), "paid_reserve_fund", "money"),
        (pgettext("statistics", "Paid by the county (yuan)"), "paid_county", "money"),
        (pgettext("statistics", "Paid by roster (yuan)"), "paid_roster", "money"),
        (pgettext("statistics", "Paid in all (yuan)"), "paid", "money"),
        (pgettext("statistics", "New enrolments"), "new_enrolments", "int"),
        (pgettext("statistics", "Gradual exits"), "gradual_exits", "int"),
        (pgettext("statistics", "Exits"), "exits", "int"),
    ]


def _cell(sheet, value, kind: str, bold: bool = False):
    cell = WriteOnlyCell(sheet, value=value)
    if kind == "money":
        cell.number_format = "#,##0.00"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _values(sheet, fig: Figures, cols, bold=False):
    return [_cell(sheet, getattr(fig, attr), kind, bold) for _h, attr, kind in cols]


def statistics_workbook(stats: Statistics) -> bytes:
    cols = columns()
    book = Workbook(write_only=True)
    title = _("%(region)s, %(period)s") % {"region": stats.region.name, "period": stats.period.label}
    computed = (timezone.localtime(stats.computed_until).strftime("%Y-%m-%d %H:%M")
                if stats.computed_until else _("not computed yet"))

    summary = book.create_sheet(_("Summary"))
    summary.append([title])
    summary.append([_("Figures computed at"), computed])
    summary.append([_("Program"), *[h for h, _a, _k in cols]])
    for code, label in stats.programs.items():
        summary.append([label, *_values(summary, stats.totals[code], cols)])
    summary.append([_cell(summary, _("Total"), "", True), *_values(summary, stats.total, cols, True)])

    regions = book.create_sheet(_("By region"))
    regions.append([title])
    regions.append([_("Region"), _("Code"), _("Program"), *[h for h, _a, _k in cols]])
    for row in stats.rows:
        for code, label in stats.programs.items():
            regions.append([row.name, row.code, label, *_values(regions, row.by_program[code], cols)])
        regions.append([_cell(regions, row.name, "", True), row.code, _cell(regions, _("Total"), "", True),
                        *_values(regions, row.total, cols, True)])

    trend = book.create_sheet(_("Last 12 months"))
    received, paid = pgettext("statistics", "Received"), pgettext("statistics", "Paid in all (yuan)")
    trend.append([_("Month"), *[f"{label}: {received}" for label in stats.programs.values()],
                  *[f"{label}: {paid}" for label in stats.programs.values()]])
    for month in stats.trend:
        trend.append([f"{month['month']:%Y-%m}", *[month["received"][c] for c in stats.programs],
                      *[_cell(trend, month["paid"][c], "money") for c in stats.programs]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statistics_pdf(stats: Statistics) -> bytes:
    from weasyprint import HTML

    cols = columns()

    def cells(fig: Figures) -> list[str]:
        return [figure_value(getattr(fig, attr), kind) for _h, attr, kind in cols]

    html = render_to_string("reporting/statistics_pdf.html", {
        "s": stats, "columns": cols,
        "totals": [(label, cells(stats.totals[code])) for code, label in stats.programs.items()],
        "total": cells(stats.total),
        "rows": [(row.name, [(label, cells(row.by_program[code])) for code, label in stats.programs.items()],
                  cells(row.total)) for row in stats.rows],
        "generated_at": timezone.now(),
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
