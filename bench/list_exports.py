"""The applications export of a county and the breach-list export of the whole city, each
in a fresh process so its peak memory is the export's own, not the rest of the suite's.

    python bench/list_exports.py --db engine_city --kind applications [--county 370811]
    python bench/list_exports.py --db engine_city --kind breaches

Measures what the export job's worker runs for a requester: the kind's rows under their
scope (the supervisor of the county with the most applications, or the one named; the
city's supervisor for the breaches, overdue now), counted, then written by the kind's
writer into a temporary file on disk, progress reported once per chunk. Prints one JSON
line: kind, who asked, rows, seconds, the file's size in bytes, peak resident memory (MiB,
VmHWM) and the resident memory of the same process with Django loaded, before the export.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import connect_django, peak_rss_mib  # noqa: E402


def _largest_county() -> str:
    from django.db.models import Count
    from django.db.models.functions import Substr

    from assistance.models import Application

    return (Application.objects.annotate(county=Substr("region_code", 1, 6)).values("county")
            .annotate(n=Count("pk")).order_by("-n", "county").values_list("county", flat=True).first())


def _request(kind: str, county: str | None):
    """(requester, params) as the list's export view would pass them to a job."""
    from django.utils import timezone

    from exports.kinds import AS_OF
    from staff.models import User

    if kind == "applications":
        return User.objects.get(username=f"sv_{county or _largest_county()}"), {"status": "", "region": "", "q": ""}
    city = User.objects.filter(username__regex=r"^sv_\d{4}$").get()
    return city, {"region": "", "step": "", "age": "", AS_OF: timezone.now().isoformat()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--kind", choices=["applications", "breaches"], required=True)
    parser.add_argument("--county", help="6-digit county code (applications); default: the one with the most")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    connect_django(args.db)
    from django.utils import translation

    from exports import kinds

    kind = kinds.get(args.kind)
    user, params = _request(args.kind, args.county)
    baseline = peak_rss_mib()
    started = time.perf_counter()
    with translation.override("zh-hans"), tempfile.TemporaryFile() as out:
        # As the worker runs it (exports.services.run): the rows under the requester's scope,
        # counted, then written with a progress call per chunk.
        rows = kind.select(user, params)
        total = rows.count()
        written = kind.write(rows, out, total=total, progress=lambda done, of: None, **kind.write_options(params))
        size = out.tell()
    seconds = time.perf_counter() - started
    print(json.dumps({"kind": args.kind, "user": user.username, "rows": written, "seconds": round(seconds, 2),
                      "bytes": size, "peak_mib": round(peak_rss_mib(), 1), "baseline_mib": round(baseline, 1)}))


if __name__ == "__main__":
    main()
