"""The household roster (the household list's Excel export) of N households, in a fresh
process so its peak memory is the export's own, not the rest of the suite's.

    python bench/roster.py --db engine_city --rows 200000

Measures ``web.export.write_households``, what the export job's worker runs (and the
household export view below EXPORT_INLINE_MAX_ROWS): plain values per chunk of
households, streamed into a temporary file on disk. Prints one JSON line: variant,
rows, seconds, the file's size in bytes, peak resident memory (MiB, VmHWM) and the
resident memory of the same process with Django loaded, before the export.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import connect_django, peak_rss_mib  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--variant", choices=["engine"], default="engine")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    connect_django(args.db)
    import tempfile

    from django.utils import translation

    from registry.models import Household
    from web.export import write_households

    # The first N households by number: the rows the export writes for a region holding N.
    last = Household.objects.order_by("pk").values_list("pk", flat=True)[args.rows - 1: args.rows].first()
    households = Household.objects.filter(pk__lte=last) if last else Household.objects.all()
    baseline = peak_rss_mib()
    started = time.perf_counter()
    with translation.override("zh-hans"), tempfile.TemporaryFile() as out:
        # As the worker calls it: counted first, progress reported once per chunk.
        rows = write_households(households, out, progress=lambda done, total: None)
        size = out.tell()
    seconds = time.perf_counter() - started
    print(json.dumps({"variant": args.variant, "rows": rows, "seconds": round(seconds, 2), "bytes": size,
                      "peak_mib": round(peak_rss_mib(), 1), "baseline_mib": round(baseline, 1)}))


if __name__ == "__main__":
    main()
