"""Telling the apps that depend on people's data that some people changed.

The registry does not know who needs to hear (home visits re-tier a person whose age,
conditions or household changed); those apps subscribe in their AppConfig.ready(). The
registry's services call ``people_changed`` inside their transaction; subscribers are
called once it commits, so a rolled-back registration changes nothing downstream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

_SUBSCRIBERS: list[Callable[[list[int]], None]] = []


def subscribe(callback: Callable[[list[int]], None]) -> None:
    if callback not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(callback)


def people_changed(person_ids: Iterable[int]) -> None:
    ids = sorted(set(person_ids))
    if not ids:
        return
    for callback in list(_SUBSCRIBERS):
        # Robust: a subscriber that cannot queue its work never undoes the registry change.
        transaction.on_commit(lambda callback=callback: callback(ids), robust=True)
