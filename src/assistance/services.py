"""State changes of the shared case, and what every program's step services share.

A program's step services (workflows/<program>/services.py) run inside the caller's
transaction (workflows.engine.complete wraps them): they lock the case row through
``locked_case``, check role, region and separation of duties, run their program's
django-fsm transition, write the audit row with ``record``, and queue documents and
notifications with transaction.on_commit. Nothing else saves a case's status.

``open_application`` is the one way to open a case of any program: it checks what
every case has (household, applicant, cause) here, and asks the program for its own
fields before starting its flow.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from audit import services as audit
from core import programs
from core.errors import InvalidInput, NotPermitted
from core.money import parse_amount
from notifications.services import notify
from regions.codes import Level, within
from registry.models import Household
from staff.directory import role_holders

from .models import Application

# --- what step services share --------------------------------------------------------------------


def locked_case(task, model=Application):
    """The task's case, locked for the step's change, as the program's proxy ``model``
    (which carries the program's transitions)."""
    return model.objects.select_for_update(of=("self",)).select_related(
        "household", *programs.detail_relations()).get(pk=task.process.artifact_object_id)


def record(event: str, actor, application: Application, before: str, *, reason: str = "", extra=None,
           request=None) -> None:
    """The case's history row for a change from status ``before`` to its status now."""
    audit.record(f"assistance.application.{event}", actor=actor, obj=application,
                 region_code=application.region_code, before={"status": before},
                 after={"status": application.status}, reason=reason, extra=extra or {}, request=request)


def save_status(application: Application, *fields: str) -> None:
    application.save(update_fields=["status", *fields])


def lock_case(application_id: int) -> Application:
    """Lock a case outside its steps (e.g. before a fund row, for a reversal): its flow's
    process row, then the case row. A step is completed under the process lock
    (workflows.engine.complete), locks its case and then pays from the fund, so taking
    the rows in the same order keeps a step and a reversal of one case from deadlocking,
    and lets the reversal give the case a new paying task."""
    Process.objects.select_for_update().filter(
        artifact_content_type=ContentType.objects.get_for_model(Application),
        artifact_object_id=application_id).values_list("pk", flat=True).first()
    return Application.objects.select_for_update(of=("self",)).get(pk=application_id)


def county_staff(application: Application) -> list:
    return role_holders("county_reviewer", application.region_code, "county")


# Staff who may sit on an investigation team: the township's own caseworkers and heads.
INVESTIGATOR_ROLES = ("caseworker", "township_head")


def investigator_candidates(application: Application):
    """Who may be named on the case's investigation: active caseworkers and township heads
    whose home region is within the case's township. The step form offers these and the
    step service accepts no one else, so the API cannot name county finance or a supervisor."""
    return (get_user_model().objects.filter(within("region__code", application.region_code, Level.TOWNSHIP),
                                            is_active=True, groups__name__in=INVESTIGATOR_ROLES).distinct())


def investigation_team(field: str, usernames, application: Application) -> list:
    """The users of an investigation team: at least two, each an investigator candidate of the case."""
    if not isinstance(usernames, list | tuple) or not all(isinstance(u, str) for u in usernames):
        raise InvalidInput({field: [_("List the usernames of the investigators.")]})
    names = list(dict.fromkeys(u.strip() for u in usernames if u.strip()))
    if len(names) < 2:
        raise InvalidInput({field: [_("An investigation needs two different staff members.")]})
    found = {u.username: u for u in investigator_candidates(application).filter(username__in=names)}
    problems = [n for n in names if n not in found]
    if problems:
        raise InvalidInput({field: [_("Not staff of this application's region: %(names)s.")
                                    % {"names": ", ".join(problems)}]})
    return [found[n] for n in names]


def _completed_steps(application: Application, task) -> list[tuple]:
    """(step, user id) of every finished task of the case's process: who did each step,
    whoever they were named as and whatever roles they hold."""
    spec = programs.program(application.program)
    done = (Task.objects.filter(process_id=task.process_id, status=STATUS.DONE, owner__isnull=False)
            .exclude(pk=task.pk).only("flow_task", "owner_id"))
    return [(spec.steps.get(t.flow_task.name) if spec else None, t.owner_id) for t in done]


def check_separation(user, application: Application, task) -> None:
    """Separation of duties, on who *did* the work (the owners of the process's finished
    tasks) as well as who was named: whoever received the case or completed a step that
    took it in or investigated it (a step that neither decides nor pays), or was named on
    its investigation team, may not decide it; whoever decided it may not pay it out. It
    is the user that counts, whatever roles they hold: a caseworker who is also township
    head, or a superuser, is refused like anyone else."""
    spec = programs.program(application.program)
    step = spec.steps.get(task.flow_task.name) if spec is not None else None
    deciding = step is None or step.decides
    paying = step is not None and step.moves_money and not step.decides
    done = _completed_steps(application, task)
    if deciding:
        if user.pk == application.intake_by_id or user.pk == application.created_by_id:
            raise NotPermitted(_("You took in this application, so someone else must decide it."))
        for other, owner in done:
            if owner == user.pk and (other is None or not (other.decides or other.moves_money or not other.separates)):
                raise NotPermitted(_("You did the step “%(step)s” of this application, so someone else must "
                                     "decide it.") % {"step": other.label if other else "—"})
        if application.investigators.filter(pk=user.pk).exists():
            raise NotPermitted(_("You investigated this application, so someone else must decide it."))
    if paying and (user.pk == application.decided_by_id
                   or any(owner == user.pk and other is not None and other.decides for other, owner in done)):
        raise NotPermitted(_("You decided this application, so someone else must pay it out."))


# --- opening a case ---------------------------------------------------------------------------------

def open_application(actor, *, household: int, program: str, cause: str, applicant: int | None = None,
                     related_to_staff: bool = False, amount_requested=None, request=None,
                     **program_fields) -> Application:
    """Open a case of ``program`` for a household of the actor's region and start its flow.
    ``program_fields`` are the program's own (temporary assistance: kind, cause category,
    new cause); the program checks them and whether it needs an amount requested."""
    if not actor.has_perm("assistance.add_application"):
        raise NotPermitted(_("Only a caseworker can receive applications."))
    errors: dict[str, list[str]] = {}
    hh = Household.objects.visible_to(actor).filter(pk=household).first() if household else None
    if hh is None:
        errors["household"] = [_("No such household in your region.")]
    spec = programs.program(program)
    if spec is None or spec.open_case is None:
        errors["program"] = [_("Choose a program that can be applied for.")]
    cause = (cause or "").strip()
    if not cause:
        errors["cause"] = [_("Describe the cause of the hardship.")]
    amount = None
    if amount_requested not in (None, ""):
        try:
            amount = parse_amount(amount_requested, "amount_requested")
        except InvalidInput as exc:
            errors.update(exc.errors)
    person = None
    if hh is not None:
        members = list(hh.members.all())
        person = next((m for m in members if m.pk == applicant), None) if applicant else hh.head
        if person is None:
            errors["applicant"] = [_("The applicant must be a member of the household.")]
    own: dict = {}
    if spec is not None and spec.open_case is not None:
        try:
            own = spec.open_case(actor, household=hh, errors=errors, amount_requested=amount, **program_fields)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)

    with transaction.atomic():
        application = Application.objects.create(
            household=hh, applicant=person, region_code=hh.region_id, program=program, cause=cause,
            amount_requested=amount, status=spec.initial_status, created_by=actor,
            related_to_staff=bool(related_to_staff))
        if spec.details_model is not None:
            spec.details_model().objects.create(case=application, **own)
        audit.record("assistance.application.opened", actor=actor, obj=application, region_code=application.region_code,
                     after={"status": application.status, "program": program, "amount_requested": amount,
                            "related_to_staff": application.related_to_staff,
                            **{k: (v.pk if hasattr(v, "pk") else v) for k, v in own.items()}}, request=request)
        if application.related_to_staff:
            # Cases of staff relatives are registered separately and decided by the county.
            notify(county_staff(application), event="assistance.application.staff_relative",
                   title=_("Application %(id)s concerns a relative of staff: the county decides it.")
                   % {"id": application.pk}, link=application.get_absolute_url())
        spec.flow().start.run(application=application)
    return application
