"""The city-scale benchmark suite: one command for every figure.

    python bench/suite.py                 # small, then city; generates what is missing
    python bench/suite.py --scales small  # the quick run (about a minute)
    python bench/suite.py --regenerate    # rebuild the databases first

For each scale it makes sure the generated database exists (bench/generate.py; the
city takes ~10 minutes to build, and is reused while its seed and generator version
match and it is younger than --max-age-hours), measures every page and operation in
a separate process (bench/pages.py), then prints the figures with their ratios and
writes them into docs/benchmarks.md (section "city").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import GENERATOR_VERSION, read_meta  # noqa: E402
from bench.harness import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent

# key, what is measured, p95 target in ms (None: reported only)
ROWS = [
    ("web_inbox_mine", "Caseworker inbox, web page `/tasks/?tab=mine`", 50),
    ("web_inbox_queue", "Caseworker's township queue, web page `/tasks/?tab=queue`", 50),
    ("api_tasks_mine", "Caseworker inbox, API `/api/v1/tasks/?scope=mine`", 50),
    ("api_tasks_queue", "Township queue, API `/api/v1/tasks/?scope=queue`", 50),
    ("api_tasks_mine_empty", "Empty inbox, API (a caseworker with no tasks)", 50),
    ("web_approval_queue", "Township head's approval queue `/approvals/`", 50),
    ("web_dashboard_county", "Supervisor dashboard, county supervisor `/supervision/`", 300),
    ("web_dashboard_city", "Supervisor dashboard, city supervisor", 300),
    ("web_breaches_county", "Breach list, county supervisor `/supervision/breaches/`", None),
    ("web_breaches_city", "Breach list, city supervisor", None),
    ("api_breaches_county", "Breach list, API `/api/v1/sla/breaches/`", None),
    ("api_claim", "Claim a task, API `POST …/claim/`", None),
    ("api_complete", "Complete it (investigation → township approval), API `POST …/complete/`", None),
    ("sweep_1000_due", "SLA sweep: 1,000 due among all open (small: 100 among 1,000)", 2000),
    ("visits_generate", "Visit generation (the beat job) for every visit plan", None),
    ("pdf_one", "Render one PDF (decision notice)", None),
    ("pdf_batch_100", "Render a batch of 100 PDFs", None),
]
# engine page, its floor, viewflow's stock page for the same list
SIDE_BY_SIDE = [
    ("Inbox (my tasks), web", "web_inbox_mine", "floor_mine", "viewflow_inbox"),
    ("Inbox (my tasks), API", "api_tasks_mine", "floor_mine", "viewflow_inbox"),
    ("Township queue, web", "web_inbox_queue", "floor_queue", "viewflow_queue"),
    ("Township queue, API", "api_tasks_queue", "floor_queue", "viewflow_queue"),
    ("Empty inbox, API", "api_tasks_mine_empty", None, "viewflow_inbox_empty"),
]
FLOOR_RATIO_TARGET = 3.0
# The URL each page figure requests: its query budget is the one tests/perf/test_query_counts.py
# asserts for that URL on small data (read from that file, so the two cannot drift apart).
PAGE_URLS = {
    "web_inbox_mine": "/tasks/?tab=mine", "web_inbox_queue": "/tasks/?tab=queue",
    "api_tasks_mine": "/api/v1/tasks/?scope=mine", "api_tasks_queue": "/api/v1/tasks/?scope=queue",
    "api_tasks_mine_empty": "/api/v1/tasks/?scope=mine", "web_approval_queue": "/approvals/",
    "web_dashboard_county": "/supervision/", "web_dashboard_city": "/supervision/",
    "web_breaches_county": "/supervision/breaches/", "web_breaches_city": "/supervision/breaches/",
    "api_breaches_county": "/api/v1/sla/breaches/",
}
# The web work queues: the pages whose query count the issue bounds.
WEB_QUEUES = [("web_inbox_mine", "my tasks"), ("web_inbox_queue", "township queue"),
              ("web_approval_queue", "approval queue")]
# key, what is measured: the exports' writers, each in a fresh process (bench/roster.py, bench/list_exports.py)
EXPORTS = [
    ("roster", "household roster: `web.export.write_households`"),
    ("export_applications", "applications of the largest county: `web.case_export.write_applications`"),
    ("export_breaches", "breach list of the whole city: `web.supervision_export.write_breaches`"),
]


def query_budgets() -> dict[str, int]:
    """URL → query budget, from the PAGES table of tests/perf/test_query_counts.py."""
    import ast

    source = (HERE.parent / "tests" / "perf" / "test_query_counts.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return {url: budget for _who, url, budget in ast.literal_eval(node.value)}
    return {}


def ensure_database(scale: str, seed: int, regenerate: bool, max_age_hours: float) -> dict:
    db = f"engine_{scale}"
    meta = read_meta(db)
    fresh = (meta is not None and meta.get("seed") == seed and meta.get("generator") == GENERATOR_VERSION
             and time.time() - meta.get("now", 0) < max_age_hours * 3600)
    if regenerate or not fresh:
        print(f"Generating {db}…", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--scale", scale, "--seed", str(seed),
                        "--db", db], check=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"})
        meta = read_meta(db)
    else:
        print(f"Reusing {db} (generated {time.strftime('%Y-%m-%d %H:%M', time.localtime(meta['now']))}, "
              f"in {meta['seconds']:.0f} s)", flush=True)
    return meta


def run_scale(scale: str, runs: int, explain: bool, only: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    args = [sys.executable, str(HERE / "pages.py"), "--db", f"engine_{scale}", "--out", out, "--runs", str(runs)]
    if explain:
        args.append("--explain")
    if only:
        args += ["--only", only]
    print(f"Measuring {scale}…", flush=True)
    subprocess.run(args, check=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    data = json.loads(Path(out).read_text())
    Path(out).unlink()
    return data


# --- report ----------------------------------------------------------------------------------

def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.1f} s" if value >= 10_000 else (f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms")


def _cell(result: dict | None) -> str:
    return f"{_ms(result['p50_ms'])} / {_ms(result['p95_ms'])}" if result else "—"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a and b else "—"


def _queries(result: dict | None) -> str:
    """All the queries of a request, and of them how many every signed-in request makes."""
    if not result:
        return "—"
    request = result.get("request_queries")
    if request is None:
        return str(result["queries"])
    return f"{result['queries']} ({request} + {result['queries'] - request})"


def _load(values) -> str:
    return ", ".join(str(x) for x in values or []) or "—"


def report(runs: dict[str, dict], metas: dict[str, dict]) -> str:
    scales = [s for s in ("small", "city") if s in runs]
    big = scales[-1]
    res = {s: runs[s]["results"] for s in scales}
    facts = {s: runs[s]["facts"] for s in scales}
    lines = ["## City scale: queues, dashboards, sweep, roster, PDFs", ""]
    lines.append("`python bench/suite.py` — builds `engine_small` and `engine_city` with `bench/generate.py` when "
                 "missing (seed 2026), then measures both. " + runs[big]["facts"]["machine"] + ". Measured "
                 + " and ".join(f"{s} {facts[s].get('started', '?')}" for s in scales) + ".")
    lines.append("")
    lines.append("| data | " + " | ".join(scales) + " |")
    lines.append("|---|" + "---:|" * len(scales))
    for key, label in [("households", "households"), ("people", "people"), ("applications", "applications"),
                       ("open_tasks", "open tasks"), ("finished_tasks", "finished tasks"),
                       ("task_rows", "viewflow task rows (all nodes)"), ("deadlines", "deadlines")]:
        lines.append(f"| {label} | " + " | ".join(f"{metas[s].get(key, 0):,}" for s in scales) + " |")
    lines.append("| generation time | " + " | ".join(f"{metas[s]['seconds']:.0f} s" for s in scales) + " |")
    lines.append("| measured caseworker: my tasks / township queue | " + " | ".join(
        f"{facts[s]['caseworker_mine']} / {facts[s]['caseworker_queue']}" for s in scales) + " |")
    lines.append("| suite run time | " + " | ".join(f"{facts[s]['seconds']:.0f} s" for s in scales) + " |")
    cores = os.cpu_count()
    lines.append(f"| load average at the start (1, 5, 15 min; {cores} cores) | " + " | ".join(
        _load(facts[s].get("load_start")) for s in scales) + " |")
    lines.append("| 1-min load average while measuring (lowest, median, highest; every 5 s) | " + " | ".join(
        _load(facts[s].get("load_1min_range")) for s in scales) + " |")
    lines.append(f"| load average at the end (1, 5, 15 min; {cores} cores) | " + " | ".join(
        _load(facts[s].get("load")) for s in scales) + " |")
    lines.append("")
    lines.append("Every figure is p50 / p95 of the whole request through Django's test client with a signed-in "
                 "user (middleware, session, permission checks, queries, template or serializer), and the number "
                 "of queries it made: all of them, then in brackets those every signed-in request makes (session; "
                 "user with home region; roles with permissions) + the page's own.")
    lines.append("")

    lines.append("### Work queues side by side (same data, same run)")
    lines.append("")
    lines.append(f"| list ({big}) | engine p50 / p95 | queries | all SQL (p50) | list SQL (p50) | "
                 "SQL floor p50 / p95 | engine ÷ floor (p95) | list SQL ÷ floor (p50) | "
                 "viewflow stock page p50 / p95 | queries | viewflow ÷ engine (p95) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    r = res[big]
    for label, engine, floor, stock in SIDE_BY_SIDE:
        e, f, v = r.get(engine), r.get(floor) if floor else None, r.get(stock)
        lines.append(f"| {label} | {_cell(e)} | {_queries(e)} | {_ms(e and e.get('sql_p50_ms'))} | "
                     f"{_ms(e and e.get('list_sql_p50_ms'))} | "
                     f"{_cell(f)} | {_ratio(e and e['p95_ms'], f and f['p95_ms'])} | "
                     f"{_ratio(e and e.get('list_sql_p50_ms'), f and f['p50_ms'])} | {_cell(v)} | "
                     f"{_queries(v)} | {_ratio(v and v['p95_ms'], e and e['p95_ms'])} |")
    lines.append("")
    budgets = query_budgets()
    queue_counts = [(name, r[key]["queries"], budgets.get(PAGE_URLS[key])) for key, name in WEB_QUEUES if r.get(key)]
    if queue_counts:
        within = all(budget is not None and n <= budget for _name, n, budget in queue_counts)
        lines.append(f"**Queries per web queue page ({big}):** "
                     + ", ".join(f"{name} {n}" for name, n, _b in queue_counts)
                     + " (budget " + ", ".join(f"≤ {b}" if b is not None else "none" for _n, _q, b in queue_counts)
                     + f" in `tests/perf/test_query_counts.py`: {'met' if within else '**not met**'}).")
        lines.append("")
    lines.append("The floor is the smallest indexed SQL returning the same first page (50 rows) of deadline rows, "
                 "timed from Python (round trip included). \"All SQL\" is the time the page spent in all its "
                 "queries; \"list SQL\" leaves out the ones every signed-in request makes before its own (session; "
                 "user with home region; roles with permissions), leaving the list's count, rows and cases. "
                 "viewflow's stock pages (`FlowInboxListView`, "
                 "`FlowQueueListView`, mounted by `bench/urls.py` with a bench-only settings module) are measured "
                 "for the same user, who is given viewflow's model-level view permission for them; they are not "
                 "region-scoped, so the stock queue lists every matching task of the city.")
    lines.append("")

    lines.append("### Every figure, small → city")
    lines.append("")
    head = " | ".join(f"{s} p50 / p95" for s in scales)
    lines.append(f"| what | {head} | queries ({' → '.join(scales)}) | query budget | target (p95) | met | "
                 "growth (p50) |")
    lines.append("|---|" + "---:|" * len(scales) + "---:|---:|---:|:---:|---:|")
    for key, label, target in ROWS:
        cells = [res[s].get(key) for s in scales]
        if not any(cells):
            continue
        last = cells[-1]
        budget = budgets.get(PAGE_URLS.get(key, ""))
        # Met: the p95 within its target and the queries within their budget, where either is set.
        missed = []
        if last is not None and target is not None and last["p95_ms"] > target:
            missed.append("time")
        if last is not None and budget is not None and last["queries"] > budget:
            missed.append("queries")
        met = ("—" if last is None or (target is None and budget is None)
               else f"**no** ({', '.join(missed)})" if missed else "yes")
        queries = " → ".join(str(c["queries"]) if c else "—" for c in cells)
        growth = _ratio(cells[-1] and cells[-1]["p50_ms"], cells[0] and cells[0]["p50_ms"]) if len(cells) > 1 else "—"
        lines.append(f"| {label} | " + " | ".join(_cell(c) for c in cells)
                     + f" | {queries} | {f'≤ {budget}' if budget is not None else '—'} | "
                     f"{_ms(target) if target else '—'} | {met} | {growth} |")
    lines.append("")
    lines.append("| export (xlsx, the export job's writer) | rows | time | peak memory (Django alone) | target | met |")
    lines.append("|---|---:|---:|---:|---|:---:|")
    for s in scales:
        for key, label in EXPORTS:
            result = res[s].get(key)
            if result:
                ok = result["seconds"] <= 60 and result["peak_mib"] <= 1024
                lines.append(f"| {label}, {s} | {result['rows']:,} | {result['seconds']:.1f} s | "
                             f"{result['peak_mib']:.0f} MiB ({result['baseline_mib']:.0f}) | ≤ 60 s, < 1 GiB | "
                             f"{'yes' if ok else '**no**'} |")
    lines.append("")
    sweep = res[big].get("sweep_1000_due")
    if sweep:
        lines.append(f"The sweep figure is {sweep['fired']:,} events (reminders, breaches, escalations) fired for "
                     f"{sweep['due']:,} due deadlines among {sweep['open']:,} open, as in `bench/sweep.py` but on the "
                     f"generated city, notifications delivered eagerly inside the timing.")
    pdf = res[big].get("pdf_one")
    if pdf:
        lines.append(f"PDFs are rendered by `documents.rendering` (WeasyPrint; harfbuzz-subset "
                     f"{'present' if facts[big].get('harfbuzz_subset') else '**missing**'}), one process, "
                     "sequentially: a batch of 100 is what one Celery worker does; N workers divide it by N.")
    visits = res[big].get("visits_generate")
    if visits:
        lines.append(f"Visit generation made {visits['visits']:,} visits (and their deadlines) for "
                     f"{visits['plans']:,} active plans in one run of `visits.services.generate_visits`; they are "
                     "deleted again afterwards.")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="small,city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=40, help="runs per page (slower operations use fewer)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--max-age-hours", type=float, default=72.0)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--no-write", action="store_true", help="print, do not update docs/benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    scales = [s for s in args.scales.split(",") if s]
    metas, runs = {}, {}
    for scale in scales:
        metas[scale] = ensure_database(scale, args.seed, args.regenerate, args.max_age_hours)
        runs[scale] = run_scale(scale, args.runs, args.explain, args.only)
    text = report(runs, metas)
    print()
    print(text)
    print(f"\n(suite: {time.perf_counter() - started:.0f} s)")
    if not args.no_write and not args.only:
        write_section("city", text)


if __name__ == "__main__":
    main()
