"""The phone-layout checks of tests/browser/layout.js, run in the page."""

from __future__ import annotations

from pathlib import Path

LAYOUT_JS = Path(__file__).with_name("layout.js").read_text()
# The header (brand, who is signed in, the menu) may take this much of a phone's screen.
HEADER_SHARE = 0.15


def problems(page) -> list[str]:
    """What is wrong with the page's layout at its current width (empty: nothing)."""
    found = page.evaluate(LAYOUT_JS)
    header = page.evaluate("(document.querySelector('header.topbar') || {offsetHeight: 0}).offsetHeight")
    height = page.viewport_size["height"]
    if header > HEADER_SHARE * height:
        found.append(f"the header takes {header}px of {height}px")
    return found
