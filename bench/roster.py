"""The household roster (the household list's Excel export) of N households, in a fresh
process so its peak memory is the export's own, not the rest of the suite's.

    python bench/roster.py --db engine_city --rows 200000

Prints one JSON line: rows, seconds, peak resident memory (MiB, VmHWM) and
the resident memory of the same process with Django loaded, before the export.

``--variant lean`` measures a sketch of a cheaper export with the same sheet (same
columns, masked numbers, text-typed cells): per chunk of households one query for the
rows with their member count and one for the heads, as plain values, instead of model
instances with every member prefetched. It is here to size the fix proposed for
web/export.py in docs/benchmarks.md, not used by the engine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import connect_django  # noqa: E402


def _rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not getrusage: ru_maxrss survives exec,
    so a process started by a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lean_households_workbook(households, chunk: int = 5000) -> tuple[bytes, int]:
    import io
    from itertools import islice

    from django.db.models import Count
    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from registry.idnumber import mask
    from registry.models import Household, Person, Registration

    labels = {value: str(label) for value, label in Registration.choices}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Households"))
    bold = Font(bold=True)
    header = [_("Household no."), _("Head of household"), _("ID number (masked)"), _("Village / community"),
              _("Region code"), _("Registration"), _("Members")]
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)

    def text(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    rows = 0
    ids = households.order_by("-pk").values_list("pk", flat=True).iterator(chunk_size=chunk)
    while part := list(islice(ids, chunk)):
        heads = {h: (n, i) for h, n, i in Person.objects.filter(household_id__in=part, relation="head")
                 .values_list("household_id", "name", "id_number")}
        for pk, village, code, registration, members in (
                Household.objects.filter(pk__in=part).order_by("-pk")
                .values_list("pk", "region__name", "region_id", "registration").annotate(n=Count("members"))):
            name, number = heads.get(pk, ("", ""))
            sheet.append([pk, text(name), text(mask(number)), text(village), text(code), text(labels[registration]),
                          members])
            rows += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--variant", choices=["engine", "lean"], default="engine")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    connect_django(args.db)
    from django.utils import translation

    from registry.models import Household
    from web.export import households_workbook

    # The first N households by number: the rows the export writes for a region holding N.
    last = Household.objects.order_by("pk").values_list("pk", flat=True)[args.rows - 1: args.rows].first()
    households = Household.objects.filter(pk__lte=last) if last else Household.objects.all()
    baseline = _rss_mib()
    started = time.perf_counter()
    with translation.override("zh-hans"):
        export = households_workbook if args.variant == "engine" else lean_households_workbook
        content, rows = export(households)
    seconds = time.perf_counter() - started
    print(json.dumps({"variant": args.variant, "rows": rows, "seconds": round(seconds, 2), "bytes": len(content),
                      "peak_mib": round(_rss_mib(), 1), "baseline_mib": round(baseline, 1)}))


if __name__ == "__main__":
    main()
