"""Input no endpoint can use, refused before any endpoint sees it.

A NUL byte cannot be stored in a PostgreSQL text or JSON column (the query fails: a
500), and no name, address, code or note has one. JSON nested deeper than any endpoint
reads makes Python's parser recurse until it fails (a 500), and NaN or Infinity is not
JSON at all, though Python's parser reads them. ``loads`` refuses all three (and
``problem`` says what is wrong with a parsed value); the middleware
(core.middleware.RefuseMalformedInputMiddleware) applies them to every request's path,
query and body, and fields that read JSON out of a form value use ``loads``.
"""

from __future__ import annotations

import json
from typing import Any

# The deepest nesting any endpoint reads is three or four levels (a visit's findings).
MAX_JSON_DEPTH = 32
NUL = "\x00"


class Malformed(ValueError):
    """Input that is never valid: a NUL byte, too deep, or not JSON's numbers."""


def problem(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """What is wrong with a parsed JSON value: nesting deeper than ``limit``, or a NUL
    byte in a string (keys included); None when nothing is. Walked without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return "a NUL byte"
        elif isinstance(item, dict | list):
            if depth >= limit:
                return "nested too deeply"
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


def _refuse_constant(name: str):
    raise Malformed(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """``json.loads``, refusing deep nesting, NaN and Infinity, and NUL bytes in strings
    (Malformed); a text that is not JSON at all raises ValueError as json.loads does."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        # The C parser recurses once per level: thousands of "[" exhaust the stack.
        raise Malformed("nested too deeply") from None
    found = problem(value)
    if found:
        raise Malformed(found)
    return value
