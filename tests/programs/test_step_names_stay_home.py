"""A step is declared once: a real program's step names appear in its own folder (and in
the translation catalogues, which hold its labels), nowhere else in the engine.

The engine is src/, forms/, templates/, static/ and the other folders of workflows/.
Left out on purpose: migrations (history, written once), tests/ (they exercise the
programs by name) and bench/ (the city generator writes one program's rows directly).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import programs

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ("src", "forms", "templates", "static", "workflows")
SUFFIXES = {".py", ".html", ".js", ".txt"}


def _module_folder(module: str) -> Path:
    return Path(__import__(module, fromlist=["_"]).__file__).parent


def _folder(spec) -> Path:
    return _module_folder(spec.flow().__module__)


def _homes(spec) -> set[Path]:
    """The program's folder, and the shared folder its flow is built from (低保 and 特困 are
    both built by workflows/enrolment): where its step names are declared."""
    return {_module_folder(cls.__module__) for cls in spec.flow().__mro__
            if cls.__module__.startswith("workflows.")}


def _homes_of(name: str) -> set[Path]:
    """Every home of every real program that declares a step called ``name`` (programs may
    share a step's name: each declares it in its own folder)."""
    return {home for spec in _real_programs() if name in spec.steps for home in _homes(spec)}


def _real_programs():
    return [spec for spec in programs.programs() if (ROOT / "workflows") in _folder(spec).parents]


def _engine_files():
    for top in ENGINE:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in SUFFIXES and path.is_file() and "migrations" not in path.parts:
                yield path


def _quoted(spec) -> re.Pattern:
    """A step name of ``spec`` as a quoted string, in either quotes."""
    names = "|".join(map(re.escape, spec.steps))
    return re.compile(rf"""["']({names})["']""")


def test_there_is_a_real_program_to_check():
    assert {spec.code for spec in _real_programs()} >= {"temporary"}


@pytest.mark.parametrize("spec", _real_programs(), ids=lambda spec: spec.code)
def test_step_names_appear_only_in_their_program_folder(spec):
    home = _folder(spec)
    quoted = _quoted(spec)
    # A program folder's own words may coincide with another program's step names (temporary
    # assistance has a status called as 低保's first review): every program's home is allowed.
    every_home = {folder for other in _real_programs() for folder in _homes(other)}
    allowed = {name: _homes_of(name) | every_home for name in spec.steps}
    leaks = []
    for path in _engine_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            names = {m.group(1) for m in quoted.finditer(line)}
            if any(not any(folder in path.parents for folder in allowed[name]) for name in names):
                leaks.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    listing = "\n".join(leaks)
    assert leaks == [], f"step names of {spec.code} outside {home.relative_to(ROOT)}:\n{listing}"


def test_the_check_finds_a_leak(tmp_path):
    """The pattern the check uses catches a step name quoted either way (it can fail)."""
    spec = next(iter(_real_programs()))
    name = next(iter(spec.steps))
    quoted = _quoted(spec)
    assert quoted.search(f'if deadline.step == "{name}":') and quoted.search(f"step='{name}'")
    assert not quoted.search(f"{name}_something = 1")
