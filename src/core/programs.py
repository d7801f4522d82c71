"""The one table of flows, programs and their steps.

A program (temporary assistance, 低保, 特困, …) is one folder under ``workflows/``: a
Django app whose ``ready()`` registers a ``Program`` here, with its viewflow flow, its
status machine and one ``Step`` per human task. Flows that are not programs (the
reserve fund's replenishment, home visits) register a ``FlowSpec`` the same way.

Everything that shows or runs a step — the queues, the task page, the API's complete
endpoint, deadline labels and default policies, the breach dashboard, exports, the
roles' permissions — reads this table. Nothing outside a program's folder names its
steps; this module names none either, it only holds what the folders declare.

It sits in ``core`` because the layers below the web and the API (deadlines, staff,
documents, the shared case) read it too; the program folders write to it at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Escalation:
    """One level of a default escalation chain: ``roles`` are told ``after_hours`` past the due time."""

    level: int
    after_hours: int
    roles: str
    region_level: str = ""


@dataclass(frozen=True)
class Limit:
    """A step's legal time limit, as the national default policy row it seeds. Administrators
    override it per region and date of effect in the admin (deadlines.SlaPolicy)."""

    duration: int
    unit: str  # deadlines.models.Unit: working_days, calendar_days, hours
    remind_before: int = 0
    basis: str = ""
    escalation: tuple[Escalation, ...] = ()


@dataclass(frozen=True)
class Step:
    """One human step of a flow, declared once.

    ``fields`` is the step's form: a Django form class taking ``case=`` (the flow's
    artifact) whose ``service_fields()`` are the keyword arguments of ``service``. The
    same class checks the web page's POST and the API's JSON. ``service(user, task,
    request=…, **fields)`` is the one function for the step's state change.
    """

    name: str
    role: str
    permission: str  # "app_label.codename", also the viewflow node's permission
    label: str | Promise
    help: str | Promise = ""
    fields: type | None = None
    service: Callable[..., Any] | None = None
    limit: Limit | None = None
    # Pays money out (a ledger entry or a transfer): the page confirms amount and payee.
    moves_money: bool = False
    # Decides the case (approve / reject): listed in the approval queue of its role.
    decides: bool = False
    # Commits the township's reserve fund: its page and queue row show the fund's balance.
    shows_fund: bool = False
    # Whoever did this step may not decide the case (separation of duties). False for a
    # check that is not part of the case's investigation (the county's data verification).
    separates: bool = True
    # The values of the step form's ``decision`` that grant the case: completing the step
    # with one of them first runs the duplicate-benefit guard (workflows.guard), and what
    # it finds may only be overridden with a recorded reason. Empty: the step grants nothing.
    guard_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clock:
    """A time limit on more than one step (低保's whole case: 30 working days from intake).
    Its ``limit`` seeds the national default policy under the clock's name, as a step's
    does; it is opened and closed by the program's services, not by a task."""

    name: str
    label: str | Promise
    limit: Limit


@dataclass(frozen=True)
class Flag:
    """Something about a case that whoever decides it must notice."""

    text: str
    short: str
    url: str = ""


@dataclass(frozen=True)
class Finding:
    """Something about a case that may mean paying twice (the duplicate-benefit guard,
    workflows.guard): the same cause again inside the repeat period, two programs the
    rules do not allow at once, a bank account that pays another household. The text is
    kept as its source (``msgid``) and figures (``params``, plain strings and numbers),
    and translated when read, so a stored finding reads in the reader's language."""

    kind: str
    msgid: str
    params: dict = field(default_factory=dict)
    application_id: int | None = None
    household_id: int | None = None

    @property
    def text(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.msgid) % self.params if self.params else gettext(self.msgid)

    def as_json(self) -> dict:
        return {"kind": self.kind, "msgid": self.msgid, "params": dict(self.params),
                "application": self.application_id, "household": self.household_id}

    @classmethod
    def from_json(cls, data: dict) -> Finding:
        return cls(data.get("kind", ""), data.get("msgid", ""), dict(data.get("params") or {}),
                   data.get("application"), data.get("household"))


@dataclass
class FlowSpec:
    """A flow and its human steps. ``code`` is what deadline rows and SLA policies store.
    ``start(artifact)``, where given, starts a process of the flow for what it is about:
    domain services start flows through it without importing the workflow. ``finish(artifact)``,
    where given, ends what ``start`` began, for a flow whose work a domain service completes
    itself (e.g. a deadline-timed piece of work that is not a viewflow task)."""

    code: str
    label: str | Promise
    steps: dict[str, Step] = field(default_factory=dict)
    start: Callable[[Any], Any] | None = None
    # Seeds the flow's demo data for `seed_demo`: ``demo(township_code)`` returns a line saying what it holds.
    demo: Callable[..., str] | None = None
    finish: Callable[[Any], Any] | None = None

    def __post_init__(self):
        for name, step in self.steps.items():
            if step.name != name:
                raise ValueError(f"step {step.name!r} is filed under {name!r} in flow {self.code!r}")

    @property
    def is_program(self) -> bool:
        return False


@dataclass
class Program(FlowSpec):
    """A flow whose artifact is a case (assistance.Application with ``program=code``).

    ``case_model`` is the program's proxy of the shared case carrying its status
    machine; ``statuses`` its TextChoices. The status sets tell shared parts what a
    status means without knowing it: ``open_statuses`` (work to do), ``decided_statuses``
    (approved, whatever the payment), ``receiving_statuses`` (the household receives the
    benefit). ``documents`` maps a document kind to the statuses it may be issued in
    (None: whenever its own facts allow). ``open_case(actor, household, applicant,
    **fields)`` checks and returns the program's own fields of a new case.
    """

    initial_status: str = ""
    # The program's own fields of a case: a model with a one-to-one ``case`` to the shared
    # case whose related name is the program's code. ``open_case`` returns its values.
    details_model: Callable[[], type] | None = None
    # The case page's block for those fields: a template inside the program's folder.
    details_template: str = ""
    # ``flags(case)`` → [Flag]: what reviewers must notice (a repeat application…), on the case
    # and task pages and, by their short text, in the queues; ``flag_fields`` are the details'
    # columns it reads, loaded with a queue's rows.
    flags: Callable[[Any], list] | None = None
    flag_fields: tuple[str, ...] = ()
    # The details' columns of the applications export: (header, field name, choices).
    export_columns: tuple[tuple[Any, str, Any], ...] = ()
    flow_class: Callable[[], type] | None = None
    case_model: Callable[[], type] | None = None
    statuses: type | None = None
    open_statuses: frozenset[str] = frozenset()
    decided_statuses: frozenset[str] = frozenset()
    receiving_statuses: frozenset[str] = frozenset()
    rejected_statuses: frozenset[str] = frozenset()
    documents: dict[str, frozenset[str] | None] = field(default_factory=dict)
    open_case: Callable[..., dict] | None = None
    # The web's application form for this program (a forms.cases.ApplicationForm with the
    # program's own fields); a program without one is opened through the API only.
    opening_form: type | None = None
    # Pays from the township's reserve fund: ``may_pay(case, instalment_number)`` says whether now.
    may_pay: Callable[[Any, int], bool] | None = None
    # ``payment_preview(case, step_name)`` → the amount a paying step will pay now, or None
    # when the person enters it on the step (an urgent payment): shown before they confirm.
    payment_preview: Callable[[Any, str], Any] | None = None
    # ``payment_reversed(actor, case_id, instalment_number=, amount=, reason=, reversal_id=, request=)``:
    # a payout from the fund came back; the case (locked by the caller) stops counting it.
    payment_reversed: Callable[..., Any] | None = None
    # Limits over several steps, by name: seeded as deadline policies like the steps' own.
    clocks: dict[str, Clock] = field(default_factory=dict)
    # ``document_context(case, kind)`` → what a program adds to a document's template context
    # (低保's decision notice prints the means test's arithmetic).
    document_context: Callable[[Any, str], dict] | None = None
    # ``overlaps(case)`` → [Finding]: the program's own signs of paying twice (temporary
    # assistance: the same cause inside its repeat period), which the duplicate-benefit guard
    # (workflows.guard) shows with the checks every program shares.
    overlaps: Callable[[Any], list] | None = None

    @property
    def is_program(self) -> bool:
        return True

    def status_label(self, code: str) -> str:
        if self.statuses is not None and code in self.statuses.values:
            return str(self.statuses(code).label)
        return code or "—"

    def flow(self) -> type:
        return self.flow_class()

    def model(self) -> type:
        return self.case_model()


_FLOWS: dict[str, FlowSpec] = {}


def register(spec: FlowSpec) -> FlowSpec:
    """Called from a flow folder's AppConfig.ready(); registering the same code twice is a mistake."""
    existing = _FLOWS.get(spec.code)
    if existing is not None and existing is not spec:
        raise ValueError(f"flow {spec.code!r} is registered twice")
    _FLOWS[spec.code] = spec
    return spec


def flows() -> Iterator[FlowSpec]:
    return iter(list(_FLOWS.values()))


def programs() -> Iterator[Program]:
    return (spec for spec in flows() if spec.is_program)


def flow(code: str) -> FlowSpec | None:
    return _FLOWS.get(code)


def program(code: str) -> Program | None:
    spec = _FLOWS.get(code)
    return spec if spec is not None and spec.is_program else None


def step(flow_code: str, step_name: str) -> Step | None:
    spec = _FLOWS.get(flow_code)
    return spec.steps.get(step_name) if spec is not None else None


def clock(flow_code: str, name: str) -> Clock | None:
    spec = program(flow_code)
    return spec.clocks.get(name) if spec is not None else None


def clocks() -> Iterator[tuple[Program, Clock]]:
    for spec in programs():
        for c in spec.clocks.values():
            yield spec, c


def steps() -> Iterator[tuple[FlowSpec, Step]]:
    for spec in flows():
        for s in spec.steps.values():
            yield spec, s


def role_permissions() -> dict[str, list[str]]:
    """role → the step permissions it holds, from every flow's steps."""
    by_role: dict[str, list[str]] = {}
    for _spec, s in steps():
        perms = by_role.setdefault(s.role, [])
        if s.permission not in perms:
            perms.append(s.permission)
    return by_role


def decision_permissions() -> list[str]:
    """The permissions of steps that decide cases: holders have an approval queue."""
    return sorted({s.permission for spec, s in steps() if s.decides and spec.is_program})


def case_step_permissions() -> list[str]:
    """Every permission of a program's step: holders have a task inbox."""
    return sorted({s.permission for spec, s in steps() if spec.is_program})


def details_of(case):
    """The details row of ``case``'s program (select_related by ``detail_relations()``), or None."""
    spec = program(case.program)
    if spec is None or spec.details_model is None:
        return None
    return getattr(case, spec.code, None)


def case_flags(case) -> list[Flag]:
    """Every flag of a case: its program's, and the one every program shares."""
    from django.utils.translation import gettext as _

    spec = program(case.program)
    flags = list(spec.flags(case)) if spec is not None and spec.flags is not None else []
    if case.related_to_staff:
        flags.append(Flag(_("Relative of staff or village committee: the county decides"), _("Staff relative")))
    return flags


def flag_columns() -> list[str]:
    """The details' columns every program's flags read: what a queue loads with its cases."""
    return [f"{spec.code}__{name}" for spec in programs() for name in spec.flag_fields]


def detail_relations() -> list[str]:
    """The related names of every program's details: what a list selects with its cases."""
    return [spec.code for spec in programs() if spec.details_model is not None]


def status_label(program_code: str, status: str) -> str:
    spec = program(program_code)
    return spec.status_label(status) if spec is not None else (status or "—")


def status_choices() -> list[tuple[str, str]]:
    """Every program's statuses, each code once (programs may share a code such as "rejected")."""
    seen: dict[str, Any] = {}
    for spec in programs():
        if spec.statuses is not None:
            for value, label in spec.statuses.choices:
                seen.setdefault(value, label)
    return list(seen.items())


def program_choices() -> list[tuple[str, Any]]:
    return [(spec.code, spec.label) for spec in programs()]
