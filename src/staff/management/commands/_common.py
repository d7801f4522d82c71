"""Helpers shared by the staff commands (the underscore keeps this from being a command)."""

from __future__ import annotations

import re

from core.errors import InvalidInput

# Roles in a CSV cell or an option: "caseworker;township_head", "caseworker | supervisor".
ROLE_SEPARATORS = re.compile(r"[;|,；，、\s]+")


def split_roles(cell: str) -> list[str]:
    return [r for r in ROLE_SEPARATORS.split(cell or "") if r]


def error_messages(exc: InvalidInput, labels: dict[str, str] | None = None) -> list[str]:
    """One "label: message" line per message, labels naming the option or column the user typed."""
    labels = labels or {}
    lines = []
    for field, messages in exc.errors.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            lines.append(f"{labels.get(field, field)}: {message}")
    return lines
