"""Every route of the engine, from Django's resolver and the API's OpenAPI schema, and
what each one is: the table the region-isolation crawler reads.

A route is written as its path with each parameter as ``<name>`` (a ``path()``'s
converter and a router's regular expression alike): ``households/<pk>/``,
``api/v1/tasks/<pk>/claim/``. ``ROUTES`` classifies every route outside the admin site:

- ``Public``: answers without signing in and shows no region's records (sign-in, health,
  the API's schema and docs);
- ``Listing``: no id in the path; it lists, counts or exports the caller's own region.
  ``body`` (where given) is a POST that creates something, naming a region's place or
  record: the crawler sends it with another region's and expects a refusal, and with the
  caller's own and expects it to work;
- ``Record``: each path parameter names a record, by its key in the world
  (tests/security/world.py): the crawler fills in another region's.

Everything under ``admin/`` is the Django admin site, for superusers only (staff.services
gives ``is_staff`` to superusers alone): every role is sent to the admin's sign-in.

A route that is in none of these fails the crawler's classification test by name: a new
page or endpoint is covered the day it is added, once someone says what it is.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

ADMIN_PREFIX = "admin/"


@dataclass(frozen=True)
class Public:
    why: str


@dataclass(frozen=True)
class Listing:
    why: str = ""
    # body(region, world) → the POST data (JSON for the API, a form for a page) naming ``region``'s things;
    # query(region, world) → the POST's query string, where the page takes its subject there.
    body: Callable | None = None
    query: Callable | None = None


@dataclass(frozen=True)
class Record:
    params: dict[str, str] = field(default_factory=dict)
    why: str = ""


_new_people = itertools.count(801)


def _registration(region, world):
    from registry.synthetic import make_id_number

    return {"region": region.place.village, "address": "新登记路1号", "registration": "rural",
            "members": [{"name": "新户主", "relation": "head",
                         "id_number": make_id_number(region.place.area, datetime.date(1960, 1, 1),
                                                     next(_new_people))}]}


def _registration_form(region, world):
    data = _registration(region, world)
    member = data.pop("members")[0]
    data.update({"members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "1",
                 "members-MAX_NUM_FORMS": "20"})
    data.update({f"members-0-{k}": v for k, v in member.items()})
    return data


def _application(region, world):
    return {"household": region.keys["household_spare"], "program": "temporary", "kind": "expense",
            "cause_category": "school", "cause": "孩子上学费用", "amount_requested": "800.00"}


def _application_form(region, world):
    from registry.models import Household

    data = _application(region, world)
    del data["household"]  # in the query
    data["applicant"] = str(Household.objects.get(pk=region.keys["household_other"]).head.pk)
    return data


def _household_query(region, world):
    return {"household": region.keys["household_other"]}


def _roster(region, world):
    return {"county": region.place.county, "program": "tekun", "month": region.extra["roster_month"].strftime("%Y-%m")}


def _spot_checks(region, world):
    return {"county": region.place.county, "period": region.extra["roster_month"].strftime("%Y-%m")}


def _what_if(region, world):
    from django.utils import timezone

    from workflows.enrolment.benefits import following_month

    return {"kind": "standard", "region": region.place.county, "program": "dibao",
            "on": following_month(timezone.localdate()).isoformat(), "urban": "", "rural": "950.00"}


def _event(region, world):
    return {"kind": "flood", "title": "暴雨", "region": region.place.township, "round_hours": "24", "notes": ""}


APP = "application"
ROUTES: dict[str, Public | Listing | Record] = {
    # --- signing in, health, languages, the API's description ----------------------------------------
    "": Listing("home: the caller's own work"),
    "healthz": Public("database and worker health, no records"),
    "favicon.ico": Public("the icon"),
    "accounts/login/": Public("sign-in page"),
    "accounts/logout/": Public("sign-out"),
    # The signed-in person's own second factor (set up, or the code asked after the password):
    # it names no record, and shows or changes nothing but the caller's own device.
    "accounts/two-factor/": Listing("the caller's own second factor: set up or removed"),
    "accounts/two-factor/code/": Listing("the code asked after the password, for the caller's own device"),
    "i18n/setlang/": Public("language choice"),
    "jsi18n/": Public("translations for scripts"),
    "api/v1/auth/token/": Public("token for a username and password"),
    "api/v1/schema/": Public("the OpenAPI schema"),
    "api/v1/docs/": Public("Swagger UI page"),
    "api/v1/redoc/": Public("ReDoc page"),
    "api/v1/": Public("the API's index of endpoints"),
    "api/v1/me/": Listing("the caller's own account"),
    # --- registry ----------------------------------------------------------------------------------
    "households/": Listing(),
    "households/export.xlsx": Listing(),
    "households/new/": Listing(body=_registration_form),
    "households/<pk>/": Record({"pk": "household"}),
    "households/<pk>/timeline/": Record({"pk": "household"}),
    "households/<pk>/timeline/export.xlsx": Record({"pk": "household"}),
    "households/<pk>/members/new/": Record({"pk": "household"}),
    "households/<pk>/incomes/new/": Record({"pk": "household"}),
    "households/<pk>/assets/new/": Record({"pk": "household"}),
    "households/duplicates/": Listing(),
    "households/duplicates/<pk>/resolve/": Record({"pk": "duplicate"}),
    "people/<pk>/edit/": Record({"pk": "person"}),
    "people/<pk>/reveal/": Record({"pk": "person"}),
    "api/v1/regions/": Listing(),
    "api/v1/regions/<code>/": Record({"code": "village_code"}),
    "api/v1/households/": Listing(body=_registration),
    "api/v1/households/<pk>/": Record({"pk": "household"}),
    "api/v1/households/<pk>/incomes/": Record({"pk": "household"}),
    "api/v1/households/<pk>/assets/": Record({"pk": "household"}),
    "api/v1/households/<pk>/means-test/": Record({"pk": "household"}),
    "api/v1/people/<pk>/": Record({"pk": "person"}),
    # --- cases, tasks, documents ------------------------------------------------------------------
    "households/<pk>/apply/": Record({"pk": "household"}),
    "applications/": Listing(),
    "applications/export.xlsx": Listing(),
    "applications/new/": Listing(body=_application_form, query=_household_query),
    "applications/<pk>/": Record({"pk": "application"}),
    "tasks/": Listing(),
    "tasks/<pk>/": Record({"pk": "task"}),
    "tasks/<pk>/claim/": Record({"pk": "task"}),
    "tasks/<pk>/release/": Record({"pk": "task"}),
    "approvals/": Listing(),
    "documents/<pk>/": Record({"pk": "document"}),
    "api/v1/applications/": Listing(body=_application),
    "api/v1/applications/<pk>/": Record({"pk": "application"}),
    "api/v1/tasks/": Listing(),
    "api/v1/tasks/<pk>/": Record({"pk": "task"}),
    "api/v1/tasks/<pk>/claim/": Record({"pk": "task"}),
    "api/v1/tasks/<pk>/complete/": Record({"pk": "task"}),
    "api/v1/documents/<pk>/": Record({"pk": "document"}),
    # --- 低保 and 特困: objections, limits, notices, spot checks -------------------------------------
    "applications/<pk>/objections/": Record({"pk": "application_on_notice"}),
    "applications/<pk>/extend/": Record({"pk": "application_on_notice"}),
    "notices/": Listing(),
    "notices/export.xlsx": Listing(),
    "notices/<pk>/pdf/": Record({"pk": "notice"}),
    "spot-checks/": Listing(),
    "spot-checks/export.xlsx": Listing(),
    "api/v1/applications/<pk>/objections/": Record({"pk": "application_on_notice"}),
    "api/v1/applications/<pk>/extend/": Record({"pk": "application_on_notice"}),
    "api/v1/notices/": Listing(),
    "api/v1/notices/<pk>/": Record({"pk": "notice"}),
    "api/v1/notices/<pk>/document/": Record({"pk": "notice"}),
    "api/v1/spot-checks/": Listing(body=_spot_checks),
    "proactive-notices/": Listing(),
    "proactive-notices/<pk>/pdf/": Record({"pk": "proactive_notice"}),
    "proactive-notices/<pk>/deliver/": Record({"pk": "proactive_notice"}),
    # --- early warning and other departments' lists -------------------------------------------------
    "warnings/": Listing(),
    "warnings/export.xlsx": Listing(),
    "warnings/<pk>/": Record({"pk": "warning"}),
    "warnings/figures/": Listing(),
    "department-lists/": Listing(),
    "department-lists/<pk>/": Record({"pk": "department_list"}),
    "department-lists/template.xlsx": Listing(),
    "api/v1/warnings/": Listing(),
    "api/v1/warnings/<pk>/": Record({"pk": "warning"}),
    "api/v1/warnings/<pk>/follow-up/": Record({"pk": "warning"}),
    # --- program statistics: counts and sums over the caller's region ---------------------------------
    "statistics/": Listing(),
    "statistics/export.xlsx": Listing(),
    "statistics/report.pdf": Listing(),
    "statistics/refresh/": Listing(),
    "api/v1/statistics/": Listing(),
    # --- policy what-ifs (政策测算) ----------------------------------------------------------------------
    "what-if/": Listing(),
    "what-if/new/": Listing(body=_what_if),
    "what-if/<pk>/": Record({"pk": "what_if"}),
    "what-if/<pk>/status.json": Record({"pk": "what_if"}),
    "what-if/<pk>/households.xlsx": Record({"pk": "what_if"}),
    # --- ongoing cases: changes, refusals of work, notices of payment changes ------------------------
    "applications/<pk>/changes/": Record({"pk": "application_enrolled"}),
    "applications/<pk>/work-refusals/": Record({"pk": "application_enrolled"}),
    "benefit-notices/<pk>/pdf/": Record({"pk": "benefit_notice"}),
    "township-changes/": Listing(),
    "township-changes/export.xlsx": Listing(),
    "api/v1/applications/<pk>/changes/": Record({"pk": "application_enrolled"}),
    "api/v1/applications/<pk>/work-refusals/": Record({"pk": "application_enrolled"}),
    # --- payment rosters and bank accounts -----------------------------------------------------------
    "rosters/": Listing(),
    "rosters/new/": Listing(body=_roster),
    "rosters/export.xlsx": Listing(),
    "rosters/<pk>/": Record({"pk": "roster"}),
    "rosters/<pk>/regenerate/": Record({"pk": "roster"}),
    "rosters/<pk>/lock/": Record({"pk": "roster"}),
    "rosters/<pk>/bank-file.csv": Record({"pk": "roster"}),
    "rosters/<pk>/bank-file.xlsx": Record({"pk": "roster"}),
    "rosters/<pk>/roster.pdf": Record({"pk": "roster"}),
    "rosters/<pk>/lines.xlsx": Record({"pk": "roster"}),
    "rosters/<pk>/results/": Record({"pk": "roster"}),
    "rosters/lines/<pk>/reissue/": Record({"pk": "roster_line"}),
    "rosters/accounts/<pk>/": Record({"pk": "application_enrolled"}, "a case's bank account, by case"),
    "api/v1/applications/<pk>/bank-account/": Record({"pk": "application_enrolled"}),
    "api/v1/rosters/": Listing(body=_roster),
    "api/v1/rosters/<pk>/": Record({"pk": "roster"}),
    "api/v1/rosters/<pk>/bank-file/": Record({"pk": "roster"}),
    "api/v1/rosters/<pk>/bank-results/": Record({"pk": "roster"}),
    "api/v1/rosters/<pk>/lines/": Record({"pk": "roster"}),
    "api/v1/rosters/<pk>/lock/": Record({"pk": "roster"}),
    "api/v1/roster-lines/<pk>/": Record({"pk": "roster_line"}),
    "api/v1/roster-lines/<pk>/reissue/": Record({"pk": "roster_line"}),
    # --- reserve funds ------------------------------------------------------------------------------
    "funds/": Listing(),
    "funds/<pk>/": Record({"pk": "fund"}),
    "funds/<pk>/allocate/": Record({"pk": "fund"}),
    "funds/<pk>/adjust/": Record({"pk": "fund"}),
    "funds/<pk>/limits/": Record({"pk": "fund"}),
    "funds/<pk>/replenishment/": Record({"pk": "fund"}),
    "funds/<pk>/entries/<entry_pk>/reverse/": Record({"pk": "fund", "entry_pk": "ledger_entry"}),
    "funds/<pk>/statements/<month>/": Record({"pk": "fund", "month": "month"}),
    "funds/<pk>/statements/<month>.pdf": Record({"pk": "fund", "month": "month"}),
    "funds/<pk>/statements/<month>.xlsx": Record({"pk": "fund", "month": "month"}),
    "funds/<pk>/statements/<month>/sign-off/": Record({"pk": "fund", "month": "month"}),
    "funds/replenishments/<pk>/": Record({"pk": "replenishment"}),
    "api/v1/funds/": Listing(),
    "api/v1/funds/<pk>/": Record({"pk": "fund"}),
    "api/v1/funds/<pk>/allocations/": Record({"pk": "fund"}),
    "api/v1/funds/<pk>/ledger/": Record({"pk": "fund"}),
    # --- home visits -------------------------------------------------------------------------------
    "visits/": Listing(),
    "visits/<pk>/": Record({"pk": "visit"}),
    "visits/<pk>/record/": Record({"pk": "visit"}),
    "visits/records/<pk>.pdf": Record({"pk": "visit_record"}),
    "visits/records/<pk>/photo/": Record({"pk": "visit_record"}),
    "visits/households/<pk>/": Record({"pk": "household_elder"}),
    "visits/households/<pk>/recompute/": Record({"pk": "household_elder"}),
    "visits/households/<pk>/pairing/": Record({"pk": "household_elder"}),
    "visits/events/": Listing(),
    "visits/events/new/": Listing(body=_event),
    "visits/events/<pk>/": Record({"pk": "major_event"}),
    "visits/follow-ups/": Listing(),
    "visits/follow-ups/<pk>/": Record({"pk": "follow_up"}),
    "visits/coverage/": Listing(),
    "visits/coverage/export.xlsx": Listing(),
    "visits/not-visited/": Listing(),
    "visits/not-visited/export.xlsx": Listing(),
    "api/v1/visits/": Listing(),
    "api/v1/visits/<pk>/": Record({"pk": "visit"}),
    "api/v1/visits/<pk>/record/": Record({"pk": "visit"}),
    # --- deadlines, supervision, audit, exports ------------------------------------------------------
    "supervision/": Listing(),
    "supervision/export.xlsx": Listing(),
    "supervision/breaches/": Listing(),
    "supervision/breaches/export.xlsx": Listing(),
    "supervision/paused/": Listing(),
    "deadlines/<pk>/pause/": Record({"pk": "deadline"}),
    "deadlines/<pk>/resume/": Record({"pk": "deadline"}),
    "api/v1/sla/breaches/": Listing(),
    "audit/": Listing(),
    "exports/": Listing("the requester's own jobs"),
    "exports/<pk>/": Record({"pk": "export_job"}, "the requester's own job: anyone else 404"),
    "exports/<pk>/status.json": Record({"pk": "export_job"}, "the requester's own job: anyone else 404"),
    "exports/<pk>/download/": Record({"pk": "export_job"}, "the requester's own job: anyone else 404"),
}


# --- enumeration -------------------------------------------------------------------------------------

def _template(pattern) -> str:
    """A pattern as a path with ``<name>`` for each parameter."""
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", text)
    out, i = [], 0
    while i < len(text):
        if text.startswith("(?P<", i):
            end = text.index(">", i)
            name = text[i + 4:end]
            depth, j = 1, end + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            out.append(f"<{name}>")
            i = j
        elif text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif text[i] in "^$":
            i += 1
        else:
            out.append(text[i])
            i += 1
    return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", "".join(out))


def resolver_routes() -> dict[str, URLPattern]:
    """Every route of the project's resolver, by its template (the first pattern wins,
    as in resolving)."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + _template(p.pattern))
            else:
                found.setdefault(prefix + _template(p.pattern), p)

    walk(get_resolver().url_patterns, "")
    return found


def schema_operations(schema: dict) -> dict[str, list[str]]:
    """The API's routes as the OpenAPI schema gives them (``/api/v1/tasks/{id}/claim/`` →
    ``api/v1/tasks/<pk>/claim/``: the schema names the router's ``pk`` ``id``), each with
    its methods."""
    out = {}
    for path, operations in schema["paths"].items():
        template = re.sub(r"\{(\w+)\}", lambda m: "<pk>" if m.group(1) == "id" else f"<{m.group(1)}>", path)
        out[template.lstrip("/")] = sorted(m.upper() for m in operations
                                           if m in ("get", "post", "put", "patch", "delete"))
    return out


def params_of(template: str) -> list[str]:
    return re.findall(r"<(\w+)>", template)


def fill(template: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(\w+)>", lambda m: str(values[m.group(1)]), template)


def unclassified(templates) -> list[str]:
    return sorted(t for t in templates if not t.startswith(ADMIN_PREFIX) and t not in ROUTES)
