"""Compile the project's translation catalogues for the test run.

Compiled .mo files are build output (git-ignored); scripts/test and scripts/run
compile them, and this lets a bare `pytest` on a fresh checkout do the same.
"""

from __future__ import annotations

import os
from pathlib import Path

import polib
from django.conf import settings

CATALOGUES = sorted(p for d in settings.LOCALE_PATHS for p in Path(d).glob("*/LC_MESSAGES/django.po"))


def ensure_compiled() -> None:
    for po in CATALOGUES:
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # Written aside, then renamed: parallel test workers compile at once, and none
            # may read a half-written catalogue.
            partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
            polib.pofile(str(po)).save_as_mofile(str(partial))
            os.replace(partial, mo)
    # Forget catalogues loaded before now, whether this process compiled or a parallel
    # worker did a moment ago: Django's own test receivers do that when LOCALE_PATHS
    # changes, so announce such a change.
    if CATALOGUES:
        import gettext

        from django.test.signals import setting_changed

        # Python's gettext keeps every .mo it read by path: a recompiled one must be read anew.
        gettext._translations.clear()
        setting_changed.send(sender=settings._wrapped.__class__, setting="LOCALE_PATHS",
                             value=settings.LOCALE_PATHS, enter=False)
