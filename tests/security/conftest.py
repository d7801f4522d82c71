"""The security tests' totals (routes, roles, requests, examples), printed at the end of
the run: each test records its own with ``record_property("security_totals", {...})``,
which pytest-xdist carries from its workers to the report."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "security_totals" and getattr(report, "when", "") == "call":
                    for part, totals in value.items():
                        lines.append(f"{part}: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    if lines:
        terminalreporter.write_sep("-", "security totals")
        for line in sorted(lines):
            terminalreporter.write_line(line)
