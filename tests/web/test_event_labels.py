"""Every event the engine records has a name people read (web.labels), found by reading
the code: a new ``audit.record("x.y.z")`` without a label fails here, before a history
shows it as a code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from funds.models import RequestStatus
from web import labels

CODE = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")
ROOTS = ("src", "workflows", "forms")


def recorded_events() -> set[str]:
    """Event codes written literally as the first argument of audit.record / audit.build /
    a program's record(step) helper, or as an export kind's audit_event."""
    found = set()
    for root in ROOTS:
        for path in (Path(settings.BASE_DIR) / root).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                    if name not in ("record", "_record", "build") or not node.args:
                        continue
                    first = node.args[0]
                    values = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                    for value in values:
                        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                            continue
                        if CODE.match(value.value):
                            found.add(value.value)
                        elif name == "record" and re.fullmatch(r"[a-z_]+", value.value) and "workflows" in path.parts:
                            found.add(f"assistance.application.{value.value}")  # assistance.services.record
                if isinstance(node, ast.keyword) and node.arg == "audit_event" and isinstance(node.value, ast.Constant):
                    found.add(node.value.value)
    return found


def test_the_scan_finds_the_engines_events():
    events = recorded_events()
    assert len(events) > 90
    assert {"registry.household.registered", "visits.plan.created", "assistance.application.paid_first",
            "rosters.lines.exported"} <= events


def test_every_recorded_event_has_a_label():
    dynamic = {f"funds.replenishment.{status}" for status in RequestStatus.values if status != "open"}
    generic = str(labels.GENERIC_EVENT)
    missing = sorted(code for code in recorded_events() | dynamic if labels.event_label(code) == generic)
    assert not missing, f"events without a label in web/labels.py: {missing}"


def test_rules_changed_in_the_admin_are_named_by_the_rule():
    from regions.rules_admin import VersionedRuleAdmin

    with translation.override("zh-hans"):
        for admin_class in VersionedRuleAdmin.__subclasses__():
            for action in ("created", "changed", "deleted"):
                label = labels.event_label(f"{admin_class.event}.{action}")
                assert label != str(labels.GENERIC_EVENT) and "rule" not in label, (admin_class, label)
        assert labels.event_label("temporary.amount_band.deleted") == "删除规则：临时救助金额档次"
        assert labels.event_label("no.such.event") == "系统记录的操作"
