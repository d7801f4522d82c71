from __future__ import annotations

import pytest


@pytest.fixture
def small_inline_limit(settings):
    """Exports of more than two rows become jobs."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    return 2
