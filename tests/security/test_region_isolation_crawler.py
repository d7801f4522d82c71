"""The region-isolation crawler (issue 14, "Must have" 2).

Every route of the engine — each pattern of Django's resolver and each operation of the
API's OpenAPI schema — is requested by every role (and by a person holding two) of one
region with the ids of another region's records, in both directions between two
townships of two counties (tests/security/world.py). A route nobody has classified in
tests/security/routes.py fails ``test_every_route_is_classified`` by name.

What counts as holding:
- a route naming a record answers 404, a sign-in redirect, or exactly what it answers
  for a record that does not exist (a 403 of the role, a 405 of the method): never a
  page, a file or a change;
- a list, count or export shows nothing of the other region, also when asked for it by
  filter (``?region=``, ``?county=``, ``?q=`` with its people's names);
- a creation naming the other region's place or household is refused;
- no request writes anything into the other region (its audit trail does not grow);
- nothing answers 5xx;
- and, so that the test can fail: each record route, asked by the record's own region,
  answers its real record differently from a missing one, and each creation works there.
The totals (routes, roles, requests) are printed at the end of the run.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from audit.models import AuditEvent

from .crawl import Caller, Tally, missing_value, shown, to_login
from .routes import (
    ADMIN_PREFIX,
    ROUTES,
    Listing,
    Public,
    Record,
    fill,
    params_of,
    resolver_routes,
    schema_operations,
    unclassified,
)
from .world import ROLE_SETS, build_world

pytestmark = pytest.mark.django_db
API_PREFIX = "api/v1/"
WEB_METHODS = ["GET", "POST"]
# The admin's own sign-in and sign-out: shown to anyone (a signed-in non-superuser is told
# the account may not use the admin); what they show is checked like every page.
ADMIN_SIGN_IN = ("admin/login/", "admin/logout/")
PUBLIC_TRIED_BY = "caseworker+township_head"


def _schema(client) -> dict:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, response.status_code
    import json

    return json.loads(response.content)


def test_every_route_is_classified(client):
    routes = resolver_routes()
    operations = schema_operations(_schema(client))
    problems = [f"route nobody has classified (tests/security/routes.py): {t}" for t in unclassified(routes)]
    problems += [f"classified route that no longer exists: {t}" for t in sorted(set(ROUTES) - set(routes))]
    problems += [f"schema operation without a route of the resolver: {t}" for t in sorted(set(operations) - set(routes))]
    for template, kind in ROUTES.items():
        if template in routes:
            wanted = set(kind.params) if isinstance(kind, Record) else set()
            if set(params_of(template)) != wanted:
                problems.append(f"{template}: parameters {params_of(template)}, classified {sorted(wanted)}")
    assert not problems, "\n".join(problems)


def _methods(template: str, operations: dict) -> list[str]:
    if template.startswith(API_PREFIX) and template in operations:
        return operations[template]
    return WEB_METHODS


def _probe_query(foreign, identifiers) -> dict:
    """List filters naming the other region, and a search for its people."""
    person = next(iter(sorted(i for i in identifiers if not i[0].isascii())), "")
    code = foreign.place.township
    return {"region": code, "county": foreign.place.county, "township": code, "village": foreign.place.village,
            "q": person, "household": foreign.keys["household"], "application": foreign.keys["application"]}


def _check_record(caller, template, kind, method, foreign, identifiers, tally):
    api = template.startswith(API_PREFIX)
    values = {name: foreign.keys[key] for name, key in kind.params.items()}
    response = caller.send(method, fill(template, values), api=api)
    where = f"{method} {template} as {caller.role} ({foreign.place.key}'s ids)"
    if response.status_code >= 500:
        tally.failures.append(f"{where}: {response.status_code}")
        return
    leaked = shown(response, identifiers)
    if leaked:
        tally.failures.append(f"{where}: {response.status_code} shows {leaked[:5]}")
        return
    if response.status_code == 404 or to_login(response):
        return
    missing = {name: missing_value(key, foreign.keys[key]) for name, key in kind.params.items()}
    answer = caller.send(method, fill(template, missing), api=api)
    if answer.status_code != response.status_code or 200 <= response.status_code < 400:
        tally.failures.append(f"{where}: {response.status_code}, a missing record {answer.status_code}")


def _check_listing(caller, template, kind, method, foreign, world, identifiers, tally):
    api = template.startswith(API_PREFIX)
    where = f"{method} {template} as {caller.role} (naming {foreign.place.key})"
    if method == "GET":
        answers = [(caller.send("GET", fill(template, {}), api=api), ())]
        if isinstance(kind, Listing):
            query = _probe_query(foreign, identifiers)
            answers.append((caller.send("GET", fill(template, {}), api=api, query=query), query.values()))
    else:
        body = kind.body(foreign, world) if isinstance(kind, Listing) and kind.body else None
        answers = [(caller.send(method, _path(template, kind, foreign, world), api=api, data=body),
                    _values(body) + _values(kind.query(foreign, world) if _has_query(kind) else None))]
        if body is not None and _worked(answers[0][0], api):
            tally.failures.append(f"{where}: a creation naming another region answered {answers[0][0].status_code}")
    for response, sent in answers:
        if response.status_code >= 500:
            tally.failures.append(f"{where}: {response.status_code}")
        elif leaked := shown(response, identifiers, sent):
            tally.failures.append(f"{where}: {response.status_code} shows {leaked[:5]}")


def _has_query(kind) -> bool:
    return isinstance(kind, Listing) and kind.query is not None


def _path(template, kind, region, world) -> str:
    path = fill(template, {})
    return f"{path}?{urlencode(kind.query(region, world))}" if _has_query(kind) else path


def _values(body) -> list:
    """Every value of a request body, nested ones too."""
    if isinstance(body, dict):
        return [v for value in body.values() for v in _values(value)]
    if isinstance(body, list):
        return [v for value in body for v in _values(value)]
    return [] if body is None else [body]


def _worked(response, api: bool) -> bool:
    if api:
        return 200 <= response.status_code < 300
    return response.status_code == 302 and not to_login(response)


def _control(world, template, kind, operations, tally) -> str | None:
    """The record route reaches a record of its own region (or the creation works there)
    for at least one of that region's roles; None when it does, else why not."""
    home = world.regions["A"]
    api = template.startswith(API_PREFIX)
    seen = []
    for role, user in home.staff.items():
        caller = Caller(user, tally, "control", role)
        if isinstance(kind, Record):
            real = {name: home.keys[key] for name, key in kind.params.items()}
            missing = {name: missing_value(key, home.keys[key]) for name, key in kind.params.items()}
            for method in _methods(template, operations):
                a = caller.send(method, fill(template, real), api=api)
                b = caller.send(method, fill(template, missing), api=api)
                seen.append(f"{role} {method} {a.status_code}/{b.status_code}")
                if a.status_code != b.status_code:
                    return None
        else:
            response = caller.send("POST", _path(template, kind, home, world), api=api, data=kind.body(home, world))
            seen.append(f"{role} POST {response.status_code}")
            if _worked(response, api):
                return None
    return f"{template}: no role of the record's own region reaches it ({', '.join(seen)})"


def test_no_route_shows_or_changes_another_regions_records(root, django_capture_on_commit_callbacks, client,
                                                           record_property):
    world = build_world(root, django_capture_on_commit_callbacks)
    routes = resolver_routes()
    operations = schema_operations(_schema(client))
    tally = Tally()
    assert not unclassified(routes), "classify every route first (test_every_route_is_classified)"

    for data_key, foreign in world.regions.items():
        home = world.other(data_key)
        identifiers = world.identifiers(data_key)
        trail = AuditEvent.objects.filter(region_code__startswith=foreign.place.county[:6])
        written_before = trail.count()
        for role, user in home.staff.items():
            caller = Caller(user, tally, "outsider", role)
            for template in routes:
                if template.startswith(ADMIN_PREFIX):
                    if data_key == "A":  # the gate does not depend on the ids: once per role
                        response = caller.send("GET", fill(template, dict.fromkeys(params_of(template), "1")),
                                               api=False)
                        if not (to_login(response) or template in ADMIN_SIGN_IN):
                            tally.failures.append(f"GET {template} as {role}: {response.status_code}, not the "
                                                  "admin's sign-in")
                        elif leaked := shown(response, identifiers):
                            tally.failures.append(f"GET {template} as {role}: shows {leaked[:5]}")
                    continue
                kind = ROUTES[template]
                if isinstance(kind, Public) and role != PUBLIC_TRIED_BY:
                    continue  # the same to anyone, signed in or not: asked once a direction
                for method in _methods(template, operations):
                    if isinstance(kind, Record):
                        _check_record(caller, template, kind, method, foreign, identifiers, tally)
                    else:
                        _check_listing(caller, template, kind, method, foreign, world, identifiers, tally)
        written = trail.count() - written_before
        if written:
            events = list(trail.order_by("-pk").values_list("event", "actor_username")[:written])
            tally.failures.append(f"outsiders wrote {written} audit rows into region {data_key}: {events[:10]}")

    outsider_requests = tally.requests
    for template, kind in ROUTES.items():
        if isinstance(kind, Record) or (isinstance(kind, Listing) and kind.body):
            problem = _control(world, template, kind, operations, tally)
            if problem:
                tally.failures.append("control: " + problem)

    api_routes = [t for t in routes if t.startswith(API_PREFIX)]
    admin_routes = [t for t in routes if t.startswith(ADMIN_PREFIX)]
    totals = {"routes": len(routes), "web_routes": len(routes) - len(api_routes) - len(admin_routes),
              "api_routes": len(api_routes), "admin_routes": len(admin_routes),
              "schema_operations": sum(len(m) for m in operations.values()),
              "record_routes": sum(isinstance(k, Record) for k in ROUTES.values()),
              "roles": len(ROLE_SETS), "outsider_requests": outsider_requests,
              "requests": tally.requests}
    record_property("security_totals", {"crawler": totals})
    assert not tally.failures, f"{len(tally.failures)} problems:\n" + "\n".join(tally.failures)
    assert tally.requests > 2000  # the crawl really ran (a broken enumeration sends next to nothing)

