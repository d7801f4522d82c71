"""The arithmetic of the means test, on plain facts and no database: the household page,
the API and a batch of 200,000 households all call ``compute``, so they give the same
answer by construction.

The result shows its working. Every figure is a line with a label in words; each line's
amount is rounded to the fen (ROUND_HALF_UP) when the line is made, and the next line is
computed from the rounded figures, so a reader who adds up the lines gets the total on
the page. Labels and reasons are kept as their source text and figures (``Text``) and
translated when read, so one result reads in Chinese on a page and in English in an API
answer, and a batch pays for no translation it never shows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.money import figures
from registry.models import EXEMPT_INCOME_KINDS, AssetKind, DisabilityKind, IncomeKind, Registration

from .models import WorkCost

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
class Program(models.TextChoices):
    """The programs a means test is for: the minimum living guarantee and extreme-poverty support."""

    DIBAO = "dibao", _("Minimum living guarantee")
    TEKUN = "tekun", _("Extreme-poverty support")


PROGRAMS = (Program.DIBAO, Program.TEKUN)
FINANCIAL_ASSETS = frozenset({AssetKind.DEPOSIT, AssetKind.SECURITIES})
MENTAL_KINDS = frozenset({DisabilityKind.INTELLECTUAL, DisabilityKind.MENTAL})
_KIND_ORDER = {kind: n for n, kind in enumerate(IncomeKind.values)}


def fen(amount) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def _shown(value):
    if isinstance(value, Decimal):
        return figures(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Text | Promise):
        return str(value)
    return value


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence kept as its source text and its figures; ``str()`` translates it into
    the language active when it is read."""

    msgid: str
    params: Mapping = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.params:
            return gettext(self.msgid)
        return gettext(self.msgid) % {key: _shown(value) for key, value in self.params.items()}


@dataclass(frozen=True, slots=True)
class Line:
    """A labelled figure; ``label, amount = line`` reads it as a pair."""

    text: Text
    amount: Decimal

    @property
    def label(self) -> str:
        return str(self.text)

    def __iter__(self):
        return iter((self.label, self.amount))


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    birth_date: datetime.date
    disability_kind: str | None = None
    disability_grade: int | None = None
    serious_illness: bool = False


@dataclass(frozen=True, slots=True)
class IncomeRow:
    """An income row in force on the day of the test; ``person_id`` None: the household's."""

    person_id: int | None
    kind: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AssetRow:
    kind: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class IndividualCoverage:
    """A member covered on their own as a one-person household (单人保)."""

    person_id: int
    name: str
    why: Text
    own_income: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MeansResult:
    household_id: int
    program: str
    on: datetime.date
    complete: bool  # False: a standard or rule is missing, or nobody is counted; nothing is decided
    dibao_standard: Decimal | None
    standard: Decimal | None  # the program's: the dibao standard, or tekun's multiple of it
    members: int
    counted_income: Decimal
    exempt_income: Decimal
    deductions: Decimal
    per_capita_income: Decimal
    assets_ok: bool
    eligible: bool
    near_dibao: bool
    monthly_amount: Decimal
    covered: tuple[int, ...]  # the members the amount is for: all of them, or those covered alone
    individual_coverage: tuple[IndividualCoverage, ...]
    lines: tuple[Line, ...]
    reasons: tuple[Text, ...]


def individual_reason(member: Member, rule) -> Text | None:
    """Why ``member`` could be covered alone in a near-dibao household, or None: a severe
    disability (grades up to the rule's; intellectual and mental up to their own grade) or
    a serious illness."""
    grade, kind = member.disability_grade, member.disability_kind
    if grade is not None and kind is not None:
        limit = rule.individual_max_grade_mental if kind in MENTAL_KINDS else rule.individual_max_grade
        if grade <= limit:
            return Text(gettext_noop("%(kind)s, grade %(grade)s"), {"kind": DisabilityKind(kind).label, "grade": grade})
    if member.serious_illness:
        return Text(gettext_noop("Serious illness"))
    return None


class _Working:
    """The lines and reasons as they are written."""

    def __init__(self):
        self.lines: list[Line] = []
        self.reasons: list[Text] = []

    def line(self, msgid: str, amount: Decimal, **params) -> Decimal:
        amount = fen(amount)
        self.lines.append(Line(Text(msgid, params), amount))
        return amount

    def reason(self, msgid: str, **params) -> None:
        self.reasons.append(Text(msgid, params))


def _incomplete(household_id, program, on, working: _Working, dibao=None, standard=None, members=0) -> MeansResult:
    return MeansResult(
        household_id=household_id, program=program, on=on, complete=False, dibao_standard=dibao, standard=standard,
        members=members, counted_income=ZERO, exempt_income=ZERO, deductions=ZERO, per_capita_income=ZERO,
        assets_ok=False, eligible=False, near_dibao=False, monthly_amount=ZERO, covered=(), individual_coverage=(),
        lines=tuple(working.lines), reasons=tuple(working.reasons))


def _deductions(rule, wages: Mapping[int, Decimal], who, w: _Working) -> dict[int, Decimal]:
    """The work-cost deduction of each working member (a member with wages that day)."""
    out: dict[int, Decimal] = {}
    for person_id, wage in wages.items():
        if wage <= 0:
            continue
        if rule.work_cost == WorkCost.WAGE_SHARE:
            share = f"{(rule.work_cost_share * 100).normalize():f}%"
            out[person_id] = w.line(gettext_noop("Work-cost deduction — %(member)s: %(share)s of wages of %(wage)s"),
                                    wage * rule.work_cost_share, member=who(person_id), share=share, wage=wage)
        elif rule.work_cost == WorkCost.PER_EARNER:
            # Never more than the wages it is a cost of.
            out[person_id] = w.line(gettext_noop("Work-cost deduction — %(member)s: %(fixed)s per working member"),
                                    min(rule.work_cost_amount, wage), member=who(person_id),
                                    fixed=rule.work_cost_amount)
    return out


def compute(*, household_id: int, registration: str, program: str, on: datetime.date,
            members: Iterable[Member], incomes: Iterable[IncomeRow], assets: Iterable[AssetRow],
            dibao_standard: Decimal | None, rule) -> MeansResult:
    """The means test of one household on the day ``on``, from the members, the income
    rows and asset valuations in force that day, the dibao standard for the household's
    county and registration, and the means-test rule (a MeansRule or anything with its
    fields), both in force that day."""
    w = _Working()
    everyone = {m.id: m for m in members}
    counted_members = sorted((m for m in everyone.values() if m.birth_date <= on), key=lambda m: m.id)
    n = len(counted_members)

    def who(person_id):
        if person_id is None:
            return Text(gettext_noop("the household as a whole"))
        member = everyone.get(person_id)
        return member.name if member else "—"

    if dibao_standard is None:
        w.reason(gettext_noop("No dibao standard is in force for %(registration)s registration in this county on "
                              "%(day)s: an administrator adds one."),
                 registration=Registration(registration).label, day=on)
        return _incomplete(household_id, program, on, w)
    if rule is None:
        w.reason(gettext_noop("No means-test rule is in force here on %(day)s: an administrator adds one."), day=on)
        return _incomplete(household_id, program, on, w, dibao=dibao_standard)

    dibao = w.line(gettext_noop("Dibao standard (%(registration)s registration), per person a month"),
                   dibao_standard, registration=Registration(registration).label)
    standard = dibao
    if program == Program.TEKUN:
        standard = w.line(gettext_noop("Extreme-poverty basic standard: %(multiple)s × the dibao standard"),
                          dibao * rule.tekun_multiple, multiple=rule.tekun_multiple)
    if n == 0:
        w.reason(gettext_noop("No member of the household is counted on %(day)s."), day=on)
        return _incomplete(household_id, program, on, w, dibao=dibao, standard=standard)

    # Incomes: the counted ones, then the exempt ones (kept and shown, never added in).
    order = {m.id: i for i, m in enumerate(counted_members)}
    rows = sorted(incomes, key=lambda r: (order.get(r.person_id, len(order)), _KIND_ORDER.get(r.kind, 99)))
    counted = [r for r in rows if r.kind not in EXEMPT_INCOME_KINDS]
    exempt = [r for r in rows if r.kind in EXEMPT_INCOME_KINDS]
    for r in counted:
        w.line(gettext_noop("%(kind)s — %(member)s"), r.amount, kind=IncomeKind(r.kind).label, member=who(r.person_id))
    counted_total = w.line(gettext_noop("Counted income"), sum((r.amount for r in counted), ZERO))
    for r in exempt:
        w.line(gettext_noop("%(kind)s — %(member)s"), r.amount, kind=IncomeKind(r.kind).label, member=who(r.person_id))
    exempt_total = w.line(gettext_noop("Exempt income (recorded, not counted)"), sum((r.amount for r in exempt), ZERO))

    # A deduction is a working member's: household-level wages name no one who works.
    wages: dict[int, Decimal] = defaultdict(Decimal)
    own: dict[int, Decimal] = defaultdict(Decimal)
    for r in counted:
        if r.person_id is not None:
            own[r.person_id] += r.amount
            if r.kind == IncomeKind.WAGE:
                wages[r.person_id] += r.amount
    by_member = _deductions(rule, wages, who, w)
    deductions = w.line(gettext_noop("Deductions"), sum(by_member.values(), ZERO))
    net = w.line(gettext_noop("Income after deductions"), counted_total - deductions)
    per_capita = w.line(gettext_noop("Per-capita income: %(income)s ÷ household size %(members)s"), net / n,
                        income=net, members=n)

    # Assets.
    assets_ok = True
    held = [a for a in assets if a.value > 0]  # a valuation of zero: no longer held
    financial = fen(sum((a.value for a in held if a.kind in FINANCIAL_ASSETS), ZERO))
    if rule.financial_asset_months is not None:
        w.line(gettext_noop("Deposits and securities"), financial)
        limit = w.line(gettext_noop("Limit: %(months)s months × %(standard)s × household size %(members)s"),
                       rule.financial_asset_months * standard * n, months=rule.financial_asset_months,
                       standard=standard, members=n)
        if financial > limit:
            assets_ok = False
            w.reason(gettext_noop("Deposits and securities of %(value)s are above the limit of %(limit)s."),
                     value=financial, limit=limit)
    elif financial:
        w.line(gettext_noop("Deposits and securities (no limit here)"), financial)
    for kind, allowed, with_limit, without_limit, too_many in (
        (AssetKind.VEHICLE, rule.max_vehicles, gettext_noop("Vehicles: %(count)s, at most %(max)s allowed"),
         gettext_noop("Vehicles: %(count)s (no limit here)"),
         gettext_noop("%(count)s vehicles; the rules allow %(max)s.")),
        (AssetKind.HOUSE, rule.max_houses, gettext_noop("Houses: %(count)s, at most %(max)s allowed"),
         gettext_noop("Houses: %(count)s (no limit here)"),
         gettext_noop("%(count)s houses; the rules allow %(max)s.")),
    ):
        things = [a for a in held if a.kind == kind]
        if not things:
            continue
        value = sum((a.value for a in things), ZERO)
        if allowed is None:
            w.line(without_limit, value, count=len(things))
            continue
        w.line(with_limit, value, count=len(things), max=allowed)
        if len(things) > allowed:
            assets_ok = False
            w.reason(too_many, count=len(things), max=allowed)
    if assets_ok:
        w.reason(gettext_noop("Assets are within the rules."))

    # The decision.
    eligible = per_capita < standard and assets_ok
    if per_capita < standard:
        w.reason(gettext_noop("Per-capita income %(income)s is below the standard %(standard)s."),
                 income=per_capita, standard=standard)
    else:
        w.reason(gettext_noop("Per-capita income %(income)s is not below the standard %(standard)s."),
                 income=per_capita, standard=standard)
    near = False
    if program == Program.DIBAO and not eligible:
        near_line = w.line(gettext_noop("Near-dibao line: %(multiple)s × the standard"),
                           standard * rule.near_dibao_multiple, multiple=rule.near_dibao_multiple)
        near = per_capita < near_line and assets_ok
        if near:
            w.reason(gettext_noop("Near the dibao line: per-capita income is below %(line)s (%(multiple)s × the "
                                  "standard) and assets are within the rules."),
                     line=near_line, multiple=rule.near_dibao_multiple)

    qualifying = [(m, why) for m in counted_members if (why := individual_reason(m, rule)) is not None]
    individuals: list[IndividualCoverage] = []
    if eligible:
        amount = w.line(gettext_noop("Monthly amount: (%(standard)s − %(income)s) × household size %(members)s"),
                        (standard - per_capita) * n, standard=standard, income=per_capita, members=n)
        covered = tuple(m.id for m in counted_members)
        if qualifying:
            w.reason(gettext_noop("The household qualifies as a whole, so every member is covered: a qualifying "
                                  "household is never covered only in part."))
    elif near:
        for member, why in qualifying:
            own_income = fen(own[member.id] - by_member.get(member.id, ZERO))
            if own_income < standard:
                alone = w.line(gettext_noop("Individual coverage — %(member)s: %(standard)s − own income %(income)s"),
                               standard - own_income, member=member.name, standard=standard, income=own_income)
                individuals.append(IndividualCoverage(member.id, member.name, why, own_income, alone))
                w.reason(gettext_noop("%(member)s (%(why)s) is covered on their own, as a one-person household."),
                         member=member.name, why=why)
            else:
                w.reason(gettext_noop("%(member)s (%(why)s) has an own income of %(income)s, not below the standard:"
                                      " not covered on their own."),
                         member=member.name, why=why, income=own_income)
        if not qualifying:
            w.reason(gettext_noop("No member is severely disabled or seriously ill: no one is covered on their own."))
        amount = w.line(gettext_noop("Monthly amount (individual coverage)"),
                        sum((i.amount for i in individuals), ZERO))
        covered = tuple(i.person_id for i in individuals)
    else:
        amount = w.line(gettext_noop("Monthly amount"), ZERO)
        covered = ()

    return MeansResult(
        household_id=household_id, program=program, on=on, complete=True, dibao_standard=dibao, standard=standard,
        members=n, counted_income=counted_total, exempt_income=exempt_total, deductions=deductions,
        per_capita_income=per_capita, assets_ok=assets_ok, eligible=eligible, near_dibao=near,
        monthly_amount=max(amount, ZERO), covered=covered, individual_coverage=tuple(individuals),
        lines=tuple(w.lines), reasons=tuple(w.reasons))
