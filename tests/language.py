"""Find text of the other language on a rendered page, from the project's own catalogues.

A Chinese page must not show an English message id the Chinese catalogue translates; an
English page must not show a Chinese message id, nor the Chinese catalogue's translation
of an English one. Names, addresses and free text typed by staff are Chinese on both
(they are data, not interface): only catalogue strings are looked for, and text a page
marks as data (``translate="no"``, HTML's own mark for words not to be translated: a
cause, a finding, a note typed by staff) is left alone. Both languages
are also checked for what no catalogue holds but a person should never read: event
codes (``registry.household.registered``) and the stored values of choices ("county"
where 资金来源 should say 县级财政).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from lxml import html as lxml_html

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
EVENT_CODE = re.compile(r"\b[a-z][a-z_]+(?:\.[a-z][a-z_]+){2,}\b")
# Elements whose text is not read as the page's words.
SKIPPED = {"script", "style", "template", "textarea", "noscript"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Words that are the same in both languages (product names, units, abbreviations).
SAME_IN_BOTH = {"PDF", "Excel", "CSV", "SHA-256", "ID", "API", "CPI", "OK", "n", "x"}


def _catalogue(code: str) -> polib.POFile:
    path = Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po"
    return polib.pofile(str(path))


@dataclass(frozen=True)
class Phrase:
    text: str
    pattern: re.Pattern
    whole: bool  # short: only a whole text (a label, a button) counts, not a part of a sentence

    def found_in(self, chunk: str) -> bool:
        return bool(self.pattern.fullmatch(chunk) if self.whole else self.pattern.search(chunk))


def _phrase(text: str, *, chinese: bool) -> Phrase | None:
    text = " ".join(text.split())
    parts = [p.strip() for p in PLACEHOLDER.split(text)]
    literal = "".join(parts)
    if chinese:
        if len(CJK.findall(literal)) < 2:
            return None
        whole = len(literal) < 5
        body = r".+?".join(re.escape(p) for p in parts if p) if not whole else re.escape(text)
        # A Chinese phrase followed by a colon is the same phrase (a label).
        return Phrase(text, re.compile(body + (r"[:：]?" if whole else "")), whole)
    words = re.findall(r"[A-Za-z]+", literal)
    if not words or text in SAME_IN_BOTH or len("".join(words)) < 3:
        return None
    whole = len(words) < 3
    if whole:
        return Phrase(text, re.compile(re.escape(text) + r"[:：]?", re.I), True)
    body = r".+?".join(re.escape(p) for p in parts if p)
    return Phrase(text, re.compile(r"(?<![A-Za-z])" + body + r"(?![A-Za-z])"), False)


@functools.cache
def phrases(language: str) -> tuple[Phrase, ...]:
    """The catalogue phrases that must not show on a page in ``language`` ("zh-hans" or "en")."""
    zh = _catalogue("zh_Hans")
    out: dict[str, Phrase] = {}
    for entry in zh:
        if entry.obsolete or not entry.msgstr or entry.msgid == entry.msgstr:
            continue
        if language == "zh-hans" and LATIN.search(entry.msgid) and not CJK.search(entry.msgid):
            phrase = _phrase(entry.msgid, chinese=False)
            if phrase and not CJK.search(entry.msgid):
                out[phrase.text] = phrase
        if language == "en":
            for text in (entry.msgid, entry.msgstr):
                if CJK.search(text):
                    phrase = _phrase(text, chinese=True)
                    if phrase:
                        out[phrase.text] = phrase
    return tuple(out.values())


def visible_texts(content: str) -> list[str]:
    """The text a person reads on the page, one string per text node or attribute."""
    tree = lxml_html.fromstring(content)
    texts = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in SKIPPED or any(a.tag in SKIPPED for a in element.iterancestors()):
            continue
        if element.get("translate") == "no" or any(a.get("translate") == "no" for a in element.iterancestors()):
            continue
        if element.get("hidden") is not None and element.tag != "input":
            continue
        for name in ATTRIBUTES:
            if element.get(name):
                texts.append(element.get(name))
        if element.tag == "input" and element.get("type") in ("submit", "button") and element.get("value"):
            texts.append(element.get("value"))
        if element.text:
            texts.append(element.text)
        for child in element:
            if child.tail and child.tag not in SKIPPED:
                texts.append(child.tail)
    return [" ".join(t.split()) for t in texts if t and t.strip()]


@functools.cache
def raw_choice_values(language: str) -> frozenset[str]:
    """Stored values of the models' choices that a person would read as a code: those
    whose label in ``language`` is another word (``county`` → 县级财政, ``reserve_fund``)."""
    from django.apps import apps
    from django.utils import translation

    values, words = set(), set()
    with translation.override(language):
        for model in apps.get_models():
            if model.__module__.startswith("tests."):
                continue  # the test-only sample program
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or []:
                    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{2,}", value):
                        values.add(value)
                        words.add(str(label).lower())
    if language == "en":  # an English word the interface uses ("missed") is not a code
        words |= {entry.msgstr.lower() for entry in _catalogue("en") if entry.msgstr}
    return frozenset(values - words)


@functools.cache
def test_only_phrases() -> frozenset[str]:
    """What the test-only sample program (tests/programs, installed in the test settings
    only) calls itself, its statuses and its steps: not interface text, never translated."""
    from core import programs

    phrases = set()
    for spec in programs.flows():
        case_model = getattr(spec, "case_model", None)
        if case_model is None or not case_model().__module__.startswith("tests."):
            continue
        phrases.add(str(spec.label))
        phrases.update(str(label) for _value, label in spec.statuses.choices)
        phrases.update(str(step.label) for step in spec.steps.values())
    return frozenset(phrases)


def leaks(content: str, language: str) -> list[str]:
    """What on this page is in the wrong language, or a code: one line per finding."""
    found = []
    texts = visible_texts(content)
    codes = raw_choice_values(language)
    ignored = test_only_phrases()
    for text in texts:
        if text in ignored:
            continue
        if EVENT_CODE.search(text):
            found.append(f"event code: {text!r}")
        # A stored value among the words: on a Chinese page any, on an English one those that
        # cannot be an English word (reserve_fund) or that stand alone where a label belongs.
        tokens = re.findall(r"(?<![A-Za-z0-9_.])[a-z][a-z_]{2,}(?![A-Za-z0-9_])", text)
        raw = [t for t in tokens if t in codes and (language != "en" or "_" in t or t == text)]
        if raw:
            found.append(f"stored value instead of its label: {', '.join(raw)} in {text!r}")
        if language == "zh-hans" and LATIN.search(text):
            hit = next((p for p in phrases(language) if p.found_in(text)), None)
            if hit:
                found.append(f"English {hit.text!r} in {text!r}")
        if language == "en" and CJK.search(text):
            hit = next((p for p in phrases(language) if p.found_in(text)), None)
            if hit:
                found.append(f"Chinese {hit.text!r} in {text!r}")
    return found
