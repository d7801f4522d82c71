"""Build a synthetic city on PostgreSQL for the benchmarks, fast and reproducibly.

    python bench/generate.py --scale city  [--seed 2026] [--db engine_city]
    python bench/generate.py --scale small [--seed 2026] [--db engine_small]

"city" is the scale ARCHITECTURE.md designs for: Jining's 11 counties, 160 townships,
6,000 villages, 300,000 households, 700,000 people (mostly elderly, valid synthetic
ID numbers), staff in every township and county, 100,000 open tasks and 2,000,000
finished ones. "small" keeps the same map and staff and 1/100 of the volume, so the
two runs show how cost grows with the data, not with the number of places.

Every case is a temporary-assistance application walked through the real flow's
nodes: an Application row in the status its open step implies, a viewflow Process
with its artifact, one Task row per node passed (start, switches and ends included,
linked through ``previous``), and a Deadline row per human task, with due times
from the SLA policies and the working-day calendar. Open deadlines carry the state
the sweeper would have left (reminders, breaches and escalations fired, with their
firing rows, and the next check time); closed ones their breach and level only.
Generated cases have no audit history and no stored PDFs.

The database is dropped and rebuilt. Rows are streamed with COPY, one connection per
table, with secondary indexes dropped during the load and rebuilt afterwards, and
foreign-key triggers off (session_replication_role = replica): the rows are
consistent by construction. The same seed gives the same rows; times are relative
to --now (default: the start of the run, to the minute), so the share of overdue
work is the same whenever it runs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import drop_database, setup_django  # noqa: E402

GENERATOR_VERSION = 4  # 4: temporary assistance's own fields in its details table; 3: overdue share whatever the weekday
UTC = datetime.UTC
LOCAL = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai: no daylight saving
DAY = 86400.0
YEAR_DAYS = 365


@dataclass(frozen=True)
class Scale:
    households: int
    people: int
    open_tasks: int
    finished_tasks: int
    visit_plans: int
    # The map and the staff are the same at every scale.
    townships: int = 160
    villages: int = 6000
    caseworkers_per_township: int = 4
    reviewers_per_county: int = 2
    history_days: int = 3 * YEAR_DAYS


SCALES = {
    "city": Scale(households=300_000, people=700_000, open_tasks=100_000, finished_tasks=2_000_000,
                  visit_plans=50_000),
    "small": Scale(households=3_000, people=7_000, open_tasks=1_000, finished_tasks=20_000, visit_plans=500),
}

# Which step the open task of an open case is at (weights sum to 100).
OPEN_STEPS = [("intake", 12), ("receive_documents", 4), ("investigate", 30), ("pay_first", 2),
              ("complete_paperwork", 2), ("township_approve", 22), ("county_approve", 8), ("disburse", 12),
              ("file_with_county", 8)]
# How a finished case ended.
OUTCOMES = [("filed", 66), ("county_filed", 10), ("rejected", 10), ("county_rejected", 3), ("referred_out", 4),
            ("urgent_filed", 3), ("incomplete_then_filed", 4)]
OPEN_OVERDUE_SHARE = 0.09  # open tasks past their due time
LATE_SHARE = 0.12  # finished tasks done after their due time
# Steps whose open task is nobody's until someone claims it, and the share claimed.
CLAIM_SHARE = {"investigate": 0.45, "pay_first": 0.3, "township_approve": 0.3, "county_approve": 0.4,
               "disburse": 0.4, "file_with_county": 0.4}
STATUS_AT_STEP = {"intake": "intake", "receive_documents": "incomplete", "investigate": "investigation",
                  "pay_first": "urgent_payment", "complete_paperwork": "paperwork",
                  "township_approve": "township_review", "county_approve": "county_review", "disburse": "approved",
                  "file_with_county": "paid"}
CAUSES = [("major_illness", "老伴住院，自付医疗费用较高"), ("school", "孙子上学，学杂费无力承担"),
          ("minor_emergency", "家中突发变故，生活暂时困难"), ("fire", "房屋失火，生活用品损毁"),
          ("accident", "意外受伤，暂时无法劳动"), ("disaster", "暴雨致房屋受损"), ("other", "生活困难，申请临时救助")]


def local_midnight_utc(day: datetime.date) -> float:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=LOCAL).timestamp()


_DAYS: dict[int, str] = {}
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


def ts(x: float) -> str:
    """A UTC timestamp for COPY; ~8× faster than datetime.isoformat over millions of rows."""
    us = int(x * 1_000_000)
    day, us = divmod(us, 86_400_000_000)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = datetime.date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
    seconds, us = divmod(us, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{date} {hours:02d}:{minutes:02d}:{seconds:02d}.{us:06d}+00"


def pg_json(value) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\\", "\\\\")


# --- Streaming rows into PostgreSQL ----------------------------------------------------------------

class Loader:
    """One COPY per table, each on its own connection, fed in ~1 MB writes."""

    FLUSH_ROWS = 4000

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.streams: dict[str, tuple] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def open(self, table: str, columns: list[str]):
        import psycopg

        conn = psycopg.connect(self.dsn)
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        cursor = conn.cursor()
        copy_cm = cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
        copy = copy_cm.__enter__()
        self.streams[table] = (conn, copy_cm, copy, [])

    def row(self, table: str, values) -> None:
        buffer = self.streams[table][3]
        buffer.append("\t".join(r"\N" if v is None else v for v in values))
        self.counts[table] += 1
        if len(buffer) >= self.FLUSH_ROWS:
            self._flush(table)

    def _flush(self, table: str) -> None:
        _conn, _cm, copy, buffer = self.streams[table]
        if buffer:
            copy.write("\n".join(buffer) + "\n")
            buffer.clear()

    def close(self) -> None:
        for table, (conn, copy_cm, _copy, _buffer) in self.streams.items():
            self._flush(table)
            copy_cm.__exit__(None, None, None)
            conn.commit()
            conn.close()
        self.streams.clear()


# --- The map and the staff ----------------------------------------------------------------------

@dataclass
class Place:
    code: str
    name: str
    county: str
    township: str


def build_map(rng: random.Random, scale: Scale):
    from regions.management.commands.import_regions import rows_from_csv
    from registry.demo import COMMUNITY_WORDS, COUNTIES_CSV, VILLAGE_PREFIXES, VILLAGE_SUFFIXES, VILLAGE_SURNAMES

    rows = rows_from_csv(COUNTIES_CSV)
    city = next(r for r in rows if r.level == "city")
    counties = [r for r in rows if r.level == "county"]
    regions = [(city.code, city.name, "city", None)] + [(c.code, c.name, "county", city.code) for c in counties]
    townships: list[Place] = []
    villages: list[Place] = []
    per_county = [scale.townships // len(counties) + (1 if i < scale.townships % len(counties) else 0)
                  for i in range(len(counties))]
    words = COMMUNITY_WORDS + [a + b for a in "东西南北中" for b in ("阳", "山", "河", "湖", "桥", "营", "集")]
    for county, n in zip(counties, per_county, strict=True):
        for t in range(1, n + 1):
            street = t <= 3  # the first townships of a county are urban streets
            code = f"{county.code[:6]}{t:03d}000"
            name = f"{words[(t * 7 + len(townships)) % len(words)]}{'街道' if street else '镇'}"
            townships.append(Place(code, name, county.code, code))
            regions.append((code, name, "township", county.code))
    per_township = [scale.villages // len(townships) + (1 if i < scale.villages % len(townships) else 0)
                    for i in range(len(townships))]
    for township, n in zip(townships, per_township, strict=True):
        street = township.name.endswith("街道")
        for v in range(1, n + 1):
            code = f"{township.code[:9]}{v:03d}"
            if street:
                name = f"{words[(v * 5) % len(words)]}社区"
            else:
                name = f"{rng.choice(VILLAGE_PREFIXES)}{rng.choice(VILLAGE_SURNAMES)}{rng.choice(VILLAGE_SUFFIXES)}村"
            villages.append(Place(code, name, township.county, township.code))
            regions.append((code, name, "village", township.code))
    return city.code, [c.code for c in counties], townships, villages, regions


@dataclass
class Staff:
    caseworkers: dict[str, list[tuple[int, str]]]  # township code -> [(id, username)]
    heads: dict[str, tuple[int, str]]
    reviewers: dict[str, list[tuple[int, str]]]  # county code -> ...
    finance: dict[str, tuple[int, str]]
    supervisors: dict[str, tuple[int, str]]  # county or city code -> ...
    rows: list[tuple]  # (id, username, region, role, last, first)


def build_staff(rng: random.Random, scale: Scale, city: str, counties: list[str], townships: list[Place]) -> Staff:
    from registry.demo import OLD_GIVEN_NAMES_FEMALE, OLD_GIVEN_NAMES_MALE, VILLAGE_SURNAMES

    given = OLD_GIVEN_NAMES_MALE + OLD_GIVEN_NAMES_FEMALE
    staff = Staff({}, {}, {}, {}, {}, [])

    def add(username, region, role):
        pk = len(staff.rows) + 1
        staff.rows.append((pk, username, region, role, rng.choice(VILLAGE_SURNAMES), rng.choice(given)))
        return pk, username

    add("admin", city, "admin")  # a superuser: opens the reserve funds, exports the whole city
    staff.supervisors[city] = add(f"sv_{city[:4]}", city, "supervisor")
    for county in counties:
        p = county[:6]
        staff.reviewers[county] = [add(f"cr_{p}_{i}", county, "county_reviewer")
                                   for i in range(1, scale.reviewers_per_county + 1)]
        staff.finance[county] = add(f"cf_{p}", county, "county_finance")
        staff.supervisors[county] = add(f"sv_{p}", county, "supervisor")
    for township in townships:
        p = township.code[:9]
        staff.heads[township.code] = add(f"th_{p}", township.code, "township_head")
        staff.caseworkers[township.code] = [add(f"cw_{p}_{i}", township.code, "caseworker")
                                            for i in range(1, scale.caseworkers_per_township + 1)]
    return staff


# --- Households and people ------------------------------------------------------------------------

REFERENCE_DATE = datetime.date(2026, 1, 1)


def household_sizes(rng: random.Random, households: int, people: int) -> list[int]:
    """Sizes 1–6 drawn for mostly elderly households, then nudged to the exact total."""
    sizes = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 36, 14, 11, 6, 3], k=households)
    diff = people - sum(sizes)
    while diff:
        i = rng.randrange(households)
        if diff > 0 and sizes[i] < 6:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
            diff += 1
    return sizes


def load_people(loader: Loader, rng: random.Random, scale: Scale, villages: list[Place], now: float,
                candidates: list | None = None):
    """Households and their members; returns (village index, head person id) per household.
    Elderly heads of household are added to ``candidates`` for visit plans:
    (person id, household id, village index, age, living alone)."""
    from registry.demo import OLD_GIVEN_NAMES_FEMALE, OLD_GIVEN_NAMES_MALE, VILLAGE_SURNAMES
    from registry.synthetic import make_id_number

    loader.open("registry_household", ["id", "region_id", "address", "registration", "created_at", "updated_at"])
    loader.open("registry_person", ["id", "household_id", "name", "id_number", "gender", "birth_date", "relation",
                                    "disability_kind", "disability_grade", "phone", "created_at", "updated_at"])
    loader.open("registry_personcondition", ["id", "person_id", "condition"])
    young_given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "红"]
    sequences: dict[tuple, int] = defaultdict(int)
    sizes = household_sizes(rng, scale.households, scale.people)
    households: list[tuple[int, int]] = []
    person_id = condition_id = 0
    for hh_index, size in enumerate(sizes):
        hh_id = hh_index + 1
        v = rng.randrange(len(villages))
        village = villages[v]
        urban = village.name.endswith("社区")
        registered = now - rng.uniform(30, 6 * YEAR_DAYS) * DAY
        address = (f"{village.name}{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}"
                   if urban else f"{village.name}{rng.randint(1, 300)}号")
        stamp = ts(registered)
        loader.row("registry_household", (str(hh_id), village.code, address, "urban" if urban else "rural", stamp, stamp))
        surname = rng.choice(VILLAGE_SURNAMES)
        elderly = rng.random() < 0.8
        head_age = rng.randint(60, 95) if elderly else rng.randint(28, 59)
        head_female = rng.random() < (0.55 if elderly else 0.4)
        members = [("head", head_age, head_female, surname)]
        if size >= 2:
            if rng.random() < 0.7:
                members.append(("spouse", max(20, head_age + rng.randint(-5, 5)), not head_female,
                                rng.choice(VILLAGE_SURNAMES)))
            while len(members) < size:
                child_age = head_age - rng.randint(22, 34)
                if child_age >= 18 and rng.random() < 0.6:
                    members.append(("child", child_age, rng.random() < 0.5, surname))
                else:
                    members.append(("other" if child_age >= 18 else "child", rng.randint(1, 17), rng.random() < 0.5,
                                    surname))
        head_id = person_id + 1
        for relation, age, female, family in members:
            person_id += 1
            birth = REFERENCE_DATE - datetime.timedelta(days=age * 365 + rng.randrange(365))
            area = village.county[:6]
            key = (area, birth, female)
            seq = sequences[key]
            sequences[key] = seq + 1
            if seq >= 500:
                raise RuntimeError(f"too many people born on {birth} in {area}")
            number = make_id_number(area, birth, 2 * seq + (0 if female else 1), female=female)
            if age >= 60:
                given = rng.choice(OLD_GIVEN_NAMES_FEMALE if female else OLD_GIVEN_NAMES_MALE)
            else:
                given = rng.choice(young_given) + rng.choice(young_given)
            disabled = rng.random() < (0.08 if age >= 60 else 0.03)
            phone = f"1{rng.choice('358')}{rng.randrange(10**9):09d}" if rng.random() < 0.6 else ""
            loader.row("registry_person", (
                str(person_id), str(hh_id), family + given, number, "female" if female else "male", birth.isoformat(),
                relation, "physical" if disabled else None, str(rng.randint(1, 4)) if disabled else None, phone,
                stamp, stamp))
            if candidates is not None and relation == "head" and age >= 65:
                candidates.append((person_id, hh_id, v, age, size == 1))
            if relation == "head" and age >= 60 and size == 1:
                condition_id += 1
                loader.row("registry_personcondition", (str(condition_id), str(person_id), "living_alone"))
            elif relation in ("head", "spouse") and age >= 60 and size == 2 and len(members) == 2 \
                    and members[1][0] == "spouse":
                condition_id += 1
                loader.row("registry_personcondition", (str(condition_id), str(person_id), "empty_nest"))
        households.append((v, head_id))
    return households


# --- Deadlines: due times as the engine computes them -----------------------------------------------

class DueTimes:
    """compute_due for generated tasks, from the same policies and working-day calendar,
    memoised by (policy, local start day): two million tasks share a few thousand answers."""

    def __init__(self):
        from deadlines.calendar import WorkingCalendar
        from deadlines.models import EscalationStep, SlaPolicy

        self.policies = {p.step: p for p in SlaPolicy.objects.filter(flow="temporary", program="", scope="")}
        self.steps: dict[int, list] = defaultdict(list)
        for step in EscalationStep.objects.filter(policy__in=self.policies.values()).order_by("level"):
            self.steps[step.policy_id].append(step)
        self.calendar = WorkingCalendar("370800000000")
        self._days: dict[tuple, tuple] = {}

    def due(self, step: str, started: float) -> tuple[float, float | None]:
        from deadlines.calendar import end_of_day

        policy = self.policies[step]
        if policy.unit == "hours":
            due = started + policy.duration * 3600
            return due, (due - policy.remind_before * 3600 if policy.remind_before else None)
        day = datetime.datetime.fromtimestamp(started, LOCAL).date()
        key = (step, day)
        if key not in self._days:
            if policy.unit == "working_days":
                last = self.calendar.add_working_days(day, policy.duration)
                remind_day = (self.calendar.subtract_working_days(last, policy.remind_before - 1)
                              if policy.remind_before else None)
            else:
                last = day + datetime.timedelta(days=policy.duration)
                remind_day = last - datetime.timedelta(days=policy.remind_before - 1) if policy.remind_before else None
            remind = (local_midnight_utc(remind_day) + 8 * 3600) if remind_day else None
            self._days[key] = (end_of_day(last).timestamp(), remind)
        due, remind = self._days[key]
        if remind is not None and remind <= started:
            remind = None
        return due, remind


# --- Cases ---------------------------------------------------------------------------------------------

def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights=weights)[0]


def outcome_path(outcome: str) -> list[str]:
    """The nodes a finished case passed, in order."""
    head = ["start", "intake", "after_intake"]
    investigate = ["investigate", "township_approve", "after_township"]
    pay_and_file = ["disburse", "after_disburse", "file_with_county", "end"]
    return {
        "filed": head + investigate + pay_and_file,
        "county_filed": head + investigate + ["county_approve", "after_county"] + pay_and_file,
        "rejected": head + investigate + ["end_rejected"],
        "county_rejected": head + investigate + ["county_approve", "after_county", "end_rejected"],
        "referred_out": head + ["end_referred"],
        "urgent_filed": head + ["pay_first", "complete_paperwork", "township_approve", "after_township"] + pay_and_file,
        "incomplete_then_filed": head + ["receive_documents", "intake", "after_intake"] + investigate + pay_and_file,
    }[outcome]


def open_path(step: str) -> list[str]:
    """The nodes an open case passed, ending with its open human task."""
    head = ["start", "intake", "after_intake"]
    return {
        "intake": ["start", "intake"],
        "receive_documents": ["start", "intake", "after_intake", "receive_documents"],
        "investigate": head + ["investigate"],
        "pay_first": head + ["pay_first"],
        "complete_paperwork": head + ["pay_first", "complete_paperwork"],
        "township_approve": head + ["investigate", "township_approve"],
        "county_approve": head + ["investigate", "township_approve", "after_township", "county_approve"],
        "disburse": head + ["investigate", "township_approve", "after_township", "disburse"],
        "file_with_county": head + ["investigate", "township_approve", "after_township", "disburse", "after_disburse",
                                    "file_with_county"],
    }[step]


@dataclass
class Node:
    name: str
    kind: str
    created: float
    owner: int | None = None
    assigned: float | None = None
    started: float | None = None
    finished: float | None = None
    due: float | None = None
    remind: float | None = None
    is_open: bool = False


class CaseWriter:
    """Simulates one case through the flow's nodes, then writes its rows: the application,
    its process, a task per node, a deadline per human task, instalments, investigators."""

    def __init__(self, loader: Loader, seed: int, now: float, staff: Staff, villages: list[Place],
                 households: list[tuple[int, int]], due: DueTimes, ctypes: dict[str, int]):
        from viewflow.workflow.fields import get_flow_ref, get_task_ref

        from workflows.temporary.flows import STEPS, TemporaryAssistanceFlow
        from workflows.temporary.models import CODE, Status

        # The program's status machine and step table are the program folder's (the shared
        # case's status has no choices): fail here rather than write codes it does not know.
        written = set(STATUS_AT_STEP.values()) | {"filed", "rejected", "referred_out"}
        if CODE != "temporary" or not written <= set(Status.values) or _HUMAN != set(STEPS):
            raise RuntimeError(f"the generator no longer matches workflows/temporary: statuses "
                               f"{sorted(written - set(Status.values))}, steps {sorted(_HUMAN ^ set(STEPS))}")
        self.loader, self.seed, self.now, self.staff = loader, seed, now, staff
        self.villages, self.households, self.due = villages, households, due
        self.app_ct, self.task_ct = ctypes["application"], ctypes["task"]
        self.roles = {name: step.role for name, step in STEPS.items()}
        self.flow_ref = get_flow_ref(TemporaryAssistanceFlow)
        self.nodes = {node.name: (get_task_ref(node), node.task_type, getattr(node, "_owner_permission", None))
                      for node in TemporaryAssistanceFlow.instance.nodes()}
        self.ids: dict[str, int] = defaultdict(int)
        self.finished_human = 0
        self.open_human = 0
        loader.open("assistance_application", [
            "id", "household_id", "applicant_id", "region_code", "program", "cause",
            "amount_requested", "amount_approved", "amount_paid", "status", "created_at", "created_by_id",
            "intake_by_id", "findings", "recommended_amount", "missing_documents", "missing_notified_at",
            "decided_by_id", "decided_at", "decision_level", "decision_reason", "related_to_staff"])
        # Temporary assistance's own fields live in its program's details table.
        loader.open("temporary_temporarydetails", [
            "case_id", "kind", "cause_category", "repeat_of_id", "new_cause", "local_registration", "filed_at"])
        loader.open("assistance_application_investigators", ["id", "application_id", "user_id"])
        loader.open("assistance_instalment", ["id", "application_id", "number", "amount", "due_on", "status", "source",
                                              "paid_at", "paid_by_id", "note"])
        loader.open("viewflow_process", ["id", "flow_class", "status", "created", "finished",
                                         "artifact_content_type_id", "artifact_object_id", "data"])
        loader.open("viewflow_task", ["id", "flow_task", "flow_task_type", "status", "created", "assigned", "started",
                                      "finished", "token", "owner_permission", "owner_id", "process_id", "data"])
        loader.open("viewflow_task_previous", ["id", "from_task_id", "to_task_id"])
        loader.open("deadlines_deadline", [
            "id", "subject_type_id", "subject_id", "flow", "step", "program", "region_code", "application_id",
            "policy_id", "assignee_id", "role", "started_at", "due_at", "remind_at", "provisional", "status",
            "pause_reason", "closed_at", "breached_at", "escalation_level", "escalated_to", "next_check_at"])
        loader.open("deadlines_deadlinefiring", ["id", "deadline_id", "kind", "level", "fired_at", "recipients"])

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # --- simulation (no rows written) ---

    def _doer(self, rng, step: str, village: Place, creator: int) -> int:
        role = self.roles[step]
        if step in ("intake", "receive_documents", "complete_paperwork"):
            return creator  # .Assign(this.intake_owner)
        if role == "caseworker":
            return rng.choice(self.staff.caseworkers[village.township])[0]
        if role == "township_head":
            return self.staff.heads[village.township][0]
        return rng.choice(self.staff.reviewers[village.county])[0]

    def _simulate(self, case_seed: int, path: list[str], start: float, open_step: str | None, village: Place,
                  creator: int) -> list[Node]:
        rng = random.Random(case_seed)  # the same draws however often the case is shifted in time
        nodes = []
        clock = start
        for position, name in enumerate(path):
            _ref, kind, _perm = self.nodes[name]
            node = Node(name, kind, clock)
            if kind == "HUMAN":
                node.is_open = open_step is not None and position == len(path) - 1
                node.owner = self._doer(rng, name, village, creator)
                claimable = name in CLAIM_SHARE
                if node.is_open and claimable and rng.random() >= CLAIM_SHARE[name]:
                    node.owner = None
                node.due, node.remind = self.due.due(name, node.created)
                claim_after = rng.uniform(0.01, 0.3) * DAY
                late = rng.random() < LATE_SHARE
                share = rng.uniform(0.05, 0.9)
                overdue_by = rng.uniform(0.02, 6) * DAY
                work = rng.uniform(1, 600)
                if node.owner is not None and claimable:
                    node.assigned = node.created + claim_after
                if not node.is_open:
                    node.finished = node.due + overdue_by if late else node.created + share * (node.due - node.created)
                    if node.assigned is not None:
                        node.assigned = min(node.assigned, node.finished)
                    node.started = max(node.finished - work, node.assigned or node.created)
                    clock = node.finished
            else:
                node.finished = node.created + 0.05
                clock = node.finished
            clock += 0.01
            nodes.append(node)
        return nodes

    def write(self, case_index: int, *, outcome: str | None, open_step: str | None, start: float,
              open_created: float | None = None) -> None:
        rng = random.Random(self.seed * 1_000_003 + case_index)
        hh_index = rng.randrange(len(self.households))
        v, head_id = self.households[hh_index]
        village = self.villages[v]
        creator = rng.choice(self.staff.caseworkers[village.township])[0]
        path = open_path(open_step) if open_step else outcome_path(outcome)
        case_seed = rng.randrange(2**62)
        planned_overdue = open_step is not None and self.due.due(open_step, open_created)[0] <= self.now
        best = None  # (started after now, overdue otherwise than planned, how far off), start, nodes
        # Shift the case in time until its open task starts when planned (open cases), or
        # its last step is done before now (finished cases).
        for attempt in range(40):
            nodes = self._simulate(case_seed, path, start, open_step, village, creator)
            if open_step:
                # Working-day periods make the shift non-linear (a weekend moves in or out):
                # after a few exact tries, settle for starting up to two days off, as long
                # as the open task stays overdue or not as planned and starts before now.
                delta = open_created - nodes[-1].created
                score = (nodes[-1].created > self.now, (nodes[-1].due <= self.now) != planned_overdue, abs(delta))
                if best is None or score < best[0]:
                    best = (score, start, nodes)
                if not score[0] and (abs(delta) < 60 or (attempt >= 6 and score[2] < 2 * DAY and not score[1])):
                    break
                nudge = 0.25 * DAY * (attempt - 5) * (1 if attempt % 2 else -1)
                start += delta if attempt < 6 else delta - nudge
            else:
                overshoot = nodes[-1].finished - (self.now - 600)
                if overshoot <= 0:
                    break
                start -= overshoot + rng.uniform(0.2, 3) * DAY
        else:
            if best is not None:  # the closest try: before now, overdue as planned if any was
                _score, start, nodes = best
        self._emit(rng, nodes, hh_index, head_id, village, creator, outcome, open_step, start)

    # --- emission ---

    def _emit(self, rng, nodes: list[Node], hh_index, head_id, village, creator, outcome, open_step, start):
        app_id = self.next_id("application")
        category, cause = rng.choice(CAUSES)
        requested = rng.randrange(5, 50) * 100
        app = {"status": STATUS_AT_STEP[open_step] if open_step else None, "intake_by": None, "decided_by": None,
               "decided_at": None, "level": "", "reason": "", "approved": None, "paid": 0, "filed_at": None,
               "investigators": [], "recommended": None, "missing_at": None, "findings": ""}
        referred = outcome in ("county_filed", "county_rejected") or open_step == "county_approve"
        previous = None
        for node in nodes:
            ref, kind, permission = self.nodes[node.name]
            task_id = self.next_id("task")
            if kind == "HUMAN":
                status = ("ASSIGNED" if node.owner else "NEW") if node.is_open else "DONE"
                self._deadline(task_id, node, village, app_id)
                if not node.is_open:
                    self._fill(rng, app, node, village, referred)
            else:
                status = "DONE"
            self.loader.row("viewflow_task", (
                str(task_id), ref, kind, status, ts(node.created), ts(node.assigned) if node.assigned else None,
                ts(node.started) if node.started else None, ts(node.finished) if node.finished else None, "start",
                permission, str(node.owner) if node.owner else None, str(app_id), "{}"))
            if previous is not None:
                self.loader.row("viewflow_task_previous", (str(self.next_id("previous")), str(task_id), str(previous)))
            previous = task_id
        end = nodes[-1].finished

        names = [n.name for n in nodes]
        if "receive_documents" in names:
            app["missing_at"] = nodes[1].finished
        if outcome:
            app["status"] = {"rejected": "rejected", "county_rejected": "rejected",
                             "referred_out": "referred_out"}.get(outcome, "filed")
            if app["status"] == "filed":
                app["filed_at"] = end
            if app["status"] == "rejected":
                app["reason"] = "经入户调查核实，家庭人均收入高于当地临时救助标准，不予救助。"
            if app["status"] == "referred_out":
                app["reason"] = "无本地户籍或居住证，转介至救助管理站。"
        self.loader.row("viewflow_process", (
            str(app_id), self.flow_ref, "DONE" if outcome else "NEW", ts(start), ts(end) if outcome else None,
            str(self.app_ct), str(app_id), "{}"))

        # Money: an urgent payment first, then the approved remainder in one instalment.
        instalments = []
        urgent = "pay_first" in names
        if app.get("pay_first_at"):
            first = min(requested, rng.randrange(5, 20) * 100)
            instalments.append((0, first, "paid", "reserve_fund", app["pay_first_at"], app["pay_first_by"]))
            app["paid"] = first
        approving = app["decided_by"] and app["status"] not in ("rejected",) and \
            (open_step in (None, "disburse", "file_with_county")) and outcome not in ("rejected", "county_rejected")
        if approving:
            limit = 8000 if app["level"] == "county" else 3000
            app["approved"] = max(app["paid"] + 100, min(limit, requested))
            rest = app["approved"] - app["paid"]
            paid = open_step != "disburse"
            source = ("county_transfer" if app["level"] == "county" else "reserve_fund") if paid else ""
            instalments.append((1, rest, "paid" if paid else "planned", source,
                                app.get("disburse_at") if paid else None, app.get("disburse_by") if paid else None))
            if paid:
                app["paid"] = app["approved"]
        for number, amount, status, source, paid_at, paid_by in instalments:
            self.loader.row("assistance_instalment", (
                str(self.next_id("instalment")), str(app_id), str(number), f"{amount}.00",
                datetime.datetime.fromtimestamp(paid_at or start, LOCAL).date().isoformat(), status, source,
                ts(paid_at) if paid_at else None, str(paid_by) if paid_by else None, ""))
        for user_id in app["investigators"]:
            self.loader.row("assistance_application_investigators",
                            (str(self.next_id("investigator")), str(app_id), str(user_id)))
        self.loader.row("assistance_application", (
            str(app_id), str(hh_index + 1), str(head_id), village.code, "temporary",
            cause, f"{requested}.00", f"{app['approved']}.00" if app["approved"] is not None else None,
            f"{app['paid']}.00", app["status"], ts(start), str(creator),
            str(app["intake_by"]) if app["intake_by"] else None, app["findings"],
            f"{app['recommended']}.00" if app["recommended"] else None,
            pg_json(["户口簿复印件", "医疗费用票据"] if app["missing_at"] else []),
            ts(app["missing_at"]) if app["missing_at"] else None,
            str(app["decided_by"]) if app["decided_by"] else None, ts(app["decided_at"]) if app["decided_at"] else None,
            app["level"], app["reason"], "f"))
        self.loader.row("temporary_temporarydetails", (
            str(app_id), "urgent" if urgent else "expense", category, None, "", "t",
            ts(app["filed_at"]) if app["filed_at"] else None))

    def _fill(self, rng, app: dict, node: Node, village: Place, referred: bool) -> None:
        """What a finished step wrote on the application."""
        step, owner, at = node.name, node.owner, node.finished
        if step == "intake":
            app["intake_by"] = owner
        elif step in ("investigate", "complete_paperwork"):
            others = [pk for pk, _u in self.staff.caseworkers[village.township] if pk != owner]
            app["investigators"] = sorted([owner, rng.choice(others)])
            app["findings"] = "入户调查：家庭收入低于当地低保标准，情况属实。"
            app["recommended"] = rng.randrange(5, 30) * 100
        elif step == "pay_first":
            app["pay_first_at"], app["pay_first_by"] = at, owner
        elif step == "township_approve" and referred:
            app["reason"] = "金额超过乡镇审批权限，报县级审批。"
        elif step in ("township_approve", "county_approve"):
            app["decided_by"], app["decided_at"] = owner, at
            app["level"] = "county" if step == "county_approve" else "township"
        elif step == "disburse":
            app["disburse_at"], app["disburse_by"] = at, owner

    def _recipients(self, roles: str, region_level: str, village: Place) -> list[str]:
        names = []
        for role in roles.split(","):
            role = role.strip()
            if role == "township_head":
                names.append(self.staff.heads[village.township][1])
            elif role == "county_reviewer":
                names += [u for _pk, u in self.staff.reviewers[village.county]]
            elif role == "supervisor":
                where = "370800000000" if region_level == "city" else village.county
                names.append(self.staff.supervisors[where][1])
        return sorted(set(names))

    def _username(self, user_id: int | None) -> list[str]:
        return [self.staff.rows[user_id - 1][1]] if user_id else []

    def _deadline(self, task_id: int, node: Node, village: Place, app_id: int) -> None:
        """The deadline of a human task, in the state the sweeper would have left it."""
        now, due, remind = self.now, node.due, node.remind
        policy = self.due.policies[node.name]
        steps = self.due.steps[policy.id]
        deadline_id = self.next_id("deadline")
        breached = None
        level = 0
        escalated_to: list[str] = []
        next_check = None
        firings = []
        if node.is_open:
            self.open_human += 1
            fired = set()
            if remind is not None and remind <= now:
                if remind < due:
                    firings.append(("reminder", 0, remind + 30, self._username(node.owner)))
                fired.add(("reminder", 0))
            if due <= now:
                breached = due + 30
                firings.append(("breach", 0, breached, self._username(node.owner)))
                fired.add(("breach", 0))
                for esc in steps:
                    at = due + esc.after_hours * 3600
                    if at <= now:
                        escalated_to = self._recipients(esc.notify_roles, esc.region_level, village)
                        level = esc.level
                        firings.append(("escalation", esc.level, at + 30, escalated_to))
                        fired.add(("escalation", esc.level))
            times = [due + e.after_hours * 3600 for e in steps if ("escalation", e.level) not in fired]
            if remind is not None and ("reminder", 0) not in fired and remind < due:
                times.append(remind)
            if ("breach", 0) not in fired:
                times.append(due)
            next_check = min(times) if times else None
        else:
            self.finished_human += 1
            if node.finished > due:
                breached = due + 30
                level = max([e.level for e in steps if due + e.after_hours * 3600 <= node.finished], default=0)
        self.loader.row("deadlines_deadline", (
            str(deadline_id), str(self.task_ct), str(task_id), "temporary", node.name, "temporary", village.code,
            str(app_id), str(policy.id), str(node.owner) if node.owner else None, self.roles[node.name],
            ts(node.created), ts(due), ts(remind) if remind else None, "f", "open" if node.is_open else "closed", "",
            ts(node.finished) if node.finished else None, ts(breached) if breached else None, str(level),
            pg_json(escalated_to), ts(next_check) if next_check else None))
        for kind, lvl, at, recipients in firings:
            self.loader.row("deadlines_deadlinefiring", (
                str(self.next_id("firing")), str(deadline_id), kind, str(lvl), ts(at), pg_json(recipients)))


def plan_cases(rng: random.Random, scale: Scale, now: float) -> list[tuple[float, str | None, str | None]]:
    """(start time, outcome, open step) of every case, oldest first: finished cases until
    their human tasks (with the open cases' earlier steps) reach the target."""
    human = {name: sum(1 for n in outcome_path(name) if n in _HUMAN) for name, _w in OUTCOMES}
    done_before_open = {step: sum(1 for n in open_path(step)[:-1] if n in _HUMAN) for step, _w in OPEN_STEPS}
    cases = []
    finished = 0
    for _ in range(scale.open_tasks):
        step = _weighted(rng, OPEN_STEPS)
        finished += done_before_open[step]
        cases.append((step, None))
    while finished < scale.finished_tasks:
        outcome = _weighted(rng, OUTCOMES)
        if finished + human[outcome] > scale.finished_tasks:
            fitting = [o for o, _w in OUTCOMES if finished + human[o] <= scale.finished_tasks]
            if not fitting:
                break
            outcome = min(fitting, key=lambda o: scale.finished_tasks - finished - human[o])
        finished += human[outcome]
        cases.append((None, outcome))
    return cases


_HUMAN = {"intake", "receive_documents", "investigate", "pay_first", "complete_paperwork", "township_approve",
          "county_approve", "disburse", "file_with_county"}


def open_task_times(rng: random.Random, step: str, now: float, due: DueTimes) -> tuple[float, float]:
    """(case start, open task created) of an open case: the open task is overdue for about
    OPEN_OVERDUE_SHARE of cases; the earlier steps took a day and a half each (the case
    writer then shifts the case so the open task starts exactly then)."""
    earlier = sum(1 for n in open_path(step)[:-1] if n in _HUMAN)
    probe_due, _ = due.due(step, now)
    span = max(probe_due - now, 3600)
    overdue = rng.random() < OPEN_OVERDUE_SHARE
    # Drawn until the task's own due time (working days from the day it was created) is on
    # the chosen side of now: ``span`` is measured from now, and across a weekend a task
    # created a little earlier falls due days earlier. Without the check, a city generated
    # on a Saturday had 37 % of its open tasks overdue instead of 9 %.
    for _ in range(100):
        if overdue:
            task_created = now - span - rng.uniform(0.05, 12) * DAY
        else:
            task_created = now - rng.uniform(0.0, 0.9) * span
        if (due.due(step, task_created)[0] <= now) == overdue:
            break
    else:
        task_created = now - span - DAY if overdue else now
    return task_created - earlier * 1.5 * DAY, task_created


# --- Home visits ----------------------------------------------------------------------------------

def load_visit_plans(loader: Loader, rng: random.Random, scale: Scale, candidates: list, villages: list[Place],
                     staff: Staff, now: float) -> int:
    """Visit plans for elderly heads of household (high risk weekly when living alone past 80,
    key monthly when alone, general quarterly otherwise), each household paired with a
    caseworker of its township. Skipped if the visits app has no plans table."""
    from django.db import connection

    if "visits_visitplan" not in connection.introspection.table_names():
        return 0
    chosen = rng.sample(candidates, min(scale.visit_plans, len(candidates)))
    chosen.sort()
    loader.open("visits_visitplan", ["id", "person_id", "household_id", "region_code", "tier", "period", "rule_name",
                                     "active", "started_at", "updated_at", "last_visited_at"])
    loader.open("visits_pairing", ["id", "household_id", "cadre_id", "region_code", "since"])
    for pk, (person_id, hh_id, v, age, alone) in enumerate(chosen, start=1):
        village = villages[v]
        tier, period = (("high_risk", "week") if alone and age >= 80 else ("key", "month") if alone
                        else ("general", "quarter"))
        started = now - rng.uniform(30, 700) * DAY
        visited = now - rng.uniform(1, 80) * DAY
        loader.row("visits_visitplan", (str(pk), str(person_id), str(hh_id), village.code, tier, period,
                                        "bench", "t", ts(started), ts(started), ts(visited)))
        cadre = rng.choice(staff.caseworkers[village.township])[0]
        loader.row("visits_pairing", (str(pk), str(hh_id), str(cadre), village.code, ts(started)))
    return len(chosen)


# --- Staff, funds and bookkeeping ------------------------------------------------------------------------

def load_staff(loader: Loader, staff: Staff, now: float) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from staff.roles import role_permissions, sync_role_groups

    # The roles are the groups migrate's post_migrate leaves (staff.roles): their permissions
    # are role_permissions(), the step table's included. Synced again here and checked, so
    # the generated staff hold exactly what the engine gives each role.
    sync_role_groups()
    held = defaultdict(set)
    for name, app_label, codename in Group.objects.values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"):
        if codename:
            held[name].add(f"{app_label}.{codename}")
    for role, perms in role_permissions().items():
        if set(perms) != held[role]:
            raise RuntimeError(f"group {role!r}: lacks {sorted(set(perms) - held[role])}, "
                               f"has beyond its role {sorted(held[role] - set(perms))}")
    password = make_password("bench-2026", salt="benchsalt2026")
    groups = dict(Group.objects.values_list("name", "id"))
    loader.open("staff_user", ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                               "is_staff", "is_active", "date_joined", "phone", "region_id"])
    loader.open("staff_user_groups", ["id", "user_id", "group_id"])
    joined = ts(now - 400 * DAY)
    for pk, username, region, role, last, first in staff.rows:
        superuser = "t" if role == "admin" else "f"
        loader.row("staff_user", (str(pk), password, superuser, username, first, last, "", superuser, "t", joined, "",
                                  region))
        loader.row("staff_user_groups", (str(pk), str(pk), str(groups[role])))


def open_funds(staff: Staff, townships: list[Place]) -> int:
    """A reserve fund with an allocation in every township, through funds.services (so the
    approval queue shows real balances). Skipped if the funds app changes shape."""
    try:
        from funds import services as funds
        from regions.models import Region
        from staff.models import User

        opened = 0
        admin = User.objects.get(username="admin")
        for township in townships:
            finance = User.objects.get(pk=staff.finance[township.county][0])
            fund = funds.open_fund(admin, Region.objects.get(code=township.code), low_water_mark="2000.00",
                                   target_balance="20000.00")
            funds.allocate(finance, fund, "20000.00", f"bench-{township.code}")
            opened += 1
        return opened
    except Exception as exc:  # noqa: BLE001 - the funds app is optional for the benchmarks
        print(f"  (reserve funds skipped: {exc.__class__.__name__}: {exc})")
        return 0


def secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the plain indexes of ``tables``: not primary keys, not those
    backing a constraint (those stay: they are the constraints)."""
    cursor.execute("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)""", [tables])
    return cursor.fetchall()


# The same GROUP BY as deadlines migration 0003 (its triggers are off during COPY).
TALLY_SQL = """
INSERT INTO deadlines_closedtally (township, closed_month, due_day, closed, late)
SELECT substr(region_code, 1, 9) || '000', date_trunc('month', closed_at AT TIME ZONE %(tz)s)::date,
       (due_at AT TIME ZONE %(tz)s)::date, count(*), count(*) FILTER (WHERE closed_at > due_at)
  FROM deadlines_deadline WHERE status = 'closed' AND closed_at IS NOT NULL GROUP BY 1, 2, 3"""

# A program's details table has its case's key, not a sequence.
KEYED_BY_CASE = {"temporary_temporarydetails"}
BIG_TABLES = ["registry_household", "registry_person", "registry_personcondition", "assistance_application",
              "temporary_temporarydetails",
              "assistance_application_investigators", "assistance_instalment", "viewflow_process", "viewflow_task",
              "viewflow_task_previous", "deadlines_deadline", "deadlines_deadlinefiring", "visits_visitplan",
              "visits_pairing"]


def generate(scale_name: str, seed: int, db: str, now: float | None = None, keep: bool = False) -> dict:
    scale = SCALES[scale_name]
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def phase(name):
        timings[name] = round(time.perf_counter() - t0 - sum(timings.values()), 1)
        print(f"  {name}: {timings[name]} s", flush=True)

    if not keep:
        drop_database(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    setup_django(db)
    phase("migrate")
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from viewflow.workflow.models import Task

    from assistance.models import Application
    from deadlines.calendar_admin import load_year

    now = now or math.floor(time.time() / 60) * 60
    this_year = datetime.datetime.fromtimestamp(now, LOCAL).year
    for year in range(this_year - 4, this_year + 1):
        try:
            load_year(year)
        except Exception as exc:  # noqa: BLE001 - years the package does not know stay provisional
            print(f"  (calendar {year}: {exc.__class__.__name__})")
    rng = random.Random(seed)
    city, counties, townships, villages, regions = build_map(rng, scale)
    staff = build_staff(rng, scale, city, counties, townships)
    db_settings = settings.DATABASES["default"]
    dsn = (f"host={db_settings['HOST'] or '127.0.0.1'} port={db_settings['PORT'] or 5432} "
           f"user={db_settings['USER']} dbname={db_settings['NAME']}")
    if db_settings.get("PASSWORD"):
        dsn += f" password={db_settings['PASSWORD']}"

    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        dropped = secondary_indexes(cursor, [t for t in BIG_TABLES if t in existing])
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')

    loader = Loader(dsn)
    loader.open("regions_region", ["code", "name", "level", "parent_id"])
    for code, name, level, parent in regions:
        loader.row("regions_region", (code, name, level, parent))
    load_staff(loader, staff, now)
    loader.close()
    phase("map and staff")

    candidates: list = []
    households = load_people(loader, rng, scale, villages, now, candidates)
    loader.close()
    phase("households and people")

    due = DueTimes()
    ctypes = {"application": ContentType.objects.get_for_model(Application).pk,
              "task": ContentType.objects.get_for_model(Task).pk}
    writer = CaseWriter(loader, seed, now, staff, villages, households, due, ctypes)
    plans = []
    for open_step, outcome in plan_cases(rng, scale, now):
        if open_step:
            start, open_created = open_task_times(rng, open_step, now, due)
            plans.append((start, open_step, None, open_created))
        else:
            plans.append((now - rng.uniform(1, scale.history_days) * DAY, None, outcome, None))
    plans.sort(key=lambda plan: plan[0])  # ids in the order the cases came in
    for index, (start, open_step, outcome, open_created) in enumerate(plans):
        writer.write(index, outcome=outcome, open_step=open_step, start=start, open_created=open_created)
        if index and index % 50_000 == 0:
            print(f"    {index:,} of {len(plans):,} cases", flush=True)
    loader.close()
    phase("cases, tasks and deadlines")
    visit_plans = load_visit_plans(loader, rng, scale, candidates, villages, staff, now)
    loader.close()
    with connection.cursor() as cursor:
        cursor.execute(TALLY_SQL, {"tz": settings.TIME_ZONE})
    phase("visit plans and tallies")

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for _name, definition in dropped:
            cursor.execute(definition)
    phase("indexes")
    with connection.cursor() as cursor:
        for table in ["staff_user", "staff_user_groups", *(t for t in BIG_TABLES if t in existing)]:
            if table in KEYED_BY_CASE:
                continue  # keyed by its case: no sequence of its own
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
        cursor.execute("VACUUM (ANALYZE)") if connection.get_autocommit() else cursor.execute("ANALYZE")
    phase("vacuum analyze")
    funds_opened = open_funds(staff, townships)
    phase("reserve funds")

    counts = dict(loader.counts)
    summary = {
        "scale": scale_name, "seed": seed, "now": now, "generator": GENERATOR_VERSION,
        "seconds": round(time.perf_counter() - t0, 1), "timings": timings,
        "counties": len(counties), "townships": len(townships), "villages": len(villages),
        "staff": len(staff.rows), "households": counts["registry_household"], "people": counts["registry_person"],
        "applications": counts["assistance_application"], "open_tasks": writer.open_human,
        "finished_tasks": writer.finished_human, "task_rows": counts["viewflow_task"],
        "deadlines": counts["deadlines_deadline"], "firings": counts["deadlines_deadlinefiring"],
        "visit_plans": visit_plans, "reserve_funds": funds_opened,
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        cursor.execute("INSERT INTO bench_meta VALUES ('city', %s) ON CONFLICT (key) DO UPDATE SET value = "
                       "EXCLUDED.value", [json.dumps(summary)])
    return summary


def read_meta(db: str) -> dict | None:
    """The summary of the city in ``db``, or None if there is none (or the database is missing)."""
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/").rstrip("/")
    try:
        with psycopg.connect(f"{base}/{db}") as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = 'city'").fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=None, help="database name (default engine_<scale>)")
    parser.add_argument("--now", default=None,
                        help="the generation's 'now', ISO 8601 with its offset (default: the start of the run)")
    args = parser.parse_args()
    db = args.db or f"engine_{args.scale}"
    now = datetime.datetime.fromisoformat(args.now).timestamp() if args.now else None
    print(f"Generating the {args.scale} scale into {db} (seed {args.seed})…", flush=True)
    summary = generate(args.scale, args.seed, db, now=now)
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
