"""Applications, the work queue and documents (API.md: Applications, Tasks, Documents)."""

from __future__ import annotations

import inspect

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from viewflow.workflow.models import Task

from assistance import services as assistance
from assistance.models import Application
from audit.models import AuditEvent
from core import programs
from core.money import AmountApiField
from core.permissions import ActionPermission
from core.scoping import get_visible_or_404
from deadlines.models import Deadline, DeadlineStatus
from regions.codes import within
from workflows import engine
from workflows.guard import services as guard

from .enrolment import EnrolmentSerializer, enrolment_body
from .rosters import roster_payments


def _task_type_id() -> int:
    return ContentType.objects.get_for_model(Task).pk


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="subject_id")
    application = serializers.IntegerField(source="application_id", allow_null=True)
    flow = serializers.CharField()
    step = serializers.CharField()
    role = serializers.CharField()
    status = serializers.SerializerMethodField()
    assigned_to = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    region = serializers.CharField(source="region_code")
    due_at = serializers.DateTimeField()
    overdue = serializers.SerializerMethodField()
    escalation_level = serializers.IntegerField()
    provisional = serializers.BooleanField()

    def get_status(self, d) -> str:
        if d.status == DeadlineStatus.PAUSED:
            return "paused"
        return "assigned" if d.assignee_id else "unassigned"

    def get_overdue(self, d) -> bool:
        return d.is_overdue(self.context.get("now"))


def open_tasks_of(application_ids):
    return (Deadline.objects.filter(application_id__in=application_ids, subject_type_id=_task_type_id())
            .exclude(status=DeadlineStatus.CLOSED).select_related("assignee").order_by("due_at"))


class ApplicationSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    applicant = serializers.IntegerField(source="applicant_id")
    region = serializers.CharField(source="region_code")
    status_label = serializers.CharField(read_only=True)
    # The program's own fields (temporary assistance: kind, cause category, repeat of…);
    # "kind" also stands at the top, as API.md has it, null for a program without kinds.
    kind = serializers.SerializerMethodField()
    cause_category = serializers.SerializerMethodField()
    repeat_of = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()
    open_tasks = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "household", "applicant", "region", "program", "kind", "cause_category", "cause", "status",
                  "status_label", "amount_requested", "amount_approved", "amount_paid", "related_to_staff",
                  "repeat_of", "created_at", "details", "open_tasks"]

    def _detail(self, application, name: str):
        return getattr(application.details, name, None)

    def get_kind(self, application) -> str | None:
        return self._detail(application, "kind") or None

    def get_cause_category(self, application) -> str | None:
        return self._detail(application, "cause_category")

    def get_repeat_of(self, application) -> int | None:
        return self._detail(application, "repeat_of_id")

    def get_details(self, application) -> dict:
        details = application.details
        if details is None:
            return {}
        return {field.attname if field.is_relation else field.name: getattr(details, field.attname)
                for field in details._meta.concrete_fields if field.name != "case"}

    def get_open_tasks(self, application) -> list[dict]:
        tasks = self.context.get("open_tasks", {}).get(application.pk)
        if tasks is None:
            tasks = list(open_tasks_of([application.pk]))
        return TaskSerializer(tasks, many=True, context=self.context).data


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="repeat_cause, excluded_programs or shared_account")
    text = serializers.CharField()
    application = serializers.IntegerField(source="application_id", allow_null=True)
    household = serializers.IntegerField(source="household_id", allow_null=True)


def findings_data(found) -> list[dict]:
    return FindingSerializer(found, many=True).data


class ApplicationDetailSerializer(ApplicationSerializer):
    history = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    payments = serializers.SerializerMethodField()
    missing_documents = serializers.ListField(child=serializers.CharField())
    findings = serializers.CharField()
    decision_reason = serializers.CharField()
    enrolment = serializers.SerializerMethodField(
        help_text="低保/特困 only (null for another program): verification, first review, notices, objections, "
                  "the means test at the decision, the whole-case limit")
    duplicate_overrides = serializers.SerializerMethodField(
        help_text="Grants made despite possible duplicate benefits: the step, who, when, the reason and what was found")

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "missing_documents", "findings", "decision_reason", "history",
                  "documents", "payments", "enrolment", "duplicate_overrides"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_duplicate_overrides(self, application) -> list[dict]:
        return [{"step": o.step, "by": o.decided_by.username, "at": o.decided_at, "reason": o.reason,
                 "findings": o.finding_texts} for o in guard.overrides_of(application)]

    @extend_schema_field(EnrolmentSerializer(allow_null=True))
    def get_enrolment(self, application) -> dict | None:
        return enrolment_body(application, self.context.get("request"), self.context.get("now"))

    def get_history(self, application) -> list[dict]:
        rows = AuditEvent.objects.filter(object_type="assistance.application", object_id=str(application.pk)).order_by(
            "at", "id")
        return [{"at": r.at, "actor": r.actor_username, "event": r.event,
                 "from": (r.before or {}).get("status"), "to": (r.after or {}).get("status"), "note": r.reason}
                for r in rows]

    def get_documents(self, application) -> list[dict]:
        return [{"id": d.pk, "kind": d.kind, "sha256": d.sha256, "created_at": d.created_at}
                for d in application.documents.order_by("created_at", "id").only("id", "kind", "sha256", "created_at")]

    def get_payments(self, application) -> list[dict]:
        return [{"id": i.pk, "instalment": i.number, "amount": f"{i.amount:.2f}", "source": i.source,
                 "status": i.status, "paid_at": i.paid_at, "note": i.note}
                for i in application.instalments.order_by("number")] + roster_payments(application)


class ProgramField(serializers.ChoiceField):
    """A registered program's code. Serializers copy their fields per use, calling this
    again: the choices are those registered by then (every program folder, at start-up)."""

    def __init__(self, **kwargs):
        super().__init__(choices=programs.program_choices(), **kwargs)


class ApplicationInputSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    program = ProgramField()
    # The program checks its own fields (temporary assistance: kind, cause category, new cause).
    kind = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    cause = serializers.CharField(max_length=2000)
    cause_category = serializers.CharField(max_length=20, required=False, default="other")
    amount_requested = AmountApiField(required=False, allow_null=True)
    applicant = serializers.IntegerField(required=False, allow_null=True)
    related_to_staff = serializers.BooleanField(default=False)
    new_cause = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    covered_member = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="dibao/tekun: the one member covered alone (individual coverage, 单人保); null: the household")


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    # Ids are digits: anything else is no route (404), never a 500 from int().
    lookup_value_regex = "[0-9]+"
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "assistance.view_application", "retrieve": "assistance.view_application",
                    "create": "assistance.add_application"}

    def get_serializer_class(self):
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationSerializer

    def get_queryset(self):
        qs = Application.objects.visible_to(self.request.user).select_related(*programs.detail_relations())
        params = self.request.query_params
        if self.action == "list":
            if params.get("status"):
                qs = qs.filter(status=params["status"])
            if params.get("program"):
                qs = qs.filter(program=params["program"])
            if params.get("region"):
                from regions.models import Region

                place = Region.objects.visible_to(self.request.user).filter(code=params["region"]).first()
                qs = qs.filter(within("region_code", place.code, place.level)) if place else qs.none()
        return qs.order_by("-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(parameters=[OpenApiParameter("status", str),
                               OpenApiParameter("program", str),
                               OpenApiParameter("region", str)])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        by_app: dict[int, list] = {}
        for task in open_tasks_of([a.pk for a in page]):
            by_app.setdefault(task.application_id, []).append(task)
        context = {**self.get_serializer_context(), "open_tasks": {a.pk: by_app.get(a.pk, []) for a in page}}
        return self.get_paginated_response(ApplicationSerializer(page, many=True, context=context).data)

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def create(self, request, *args, **kwargs):
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A program's own fields go to it only when sent: each program checks those it knows.
        shared = {"household", "program", "cause", "applicant", "related_to_staff"}
        fields = {k: v for k, v in data.validated_data.items() if k in shared or k in request.data}
        application = assistance.open_application(request.user, request=request,
                                                   **_program_fields(data.validated_data["program"], fields, shared))
        return Response(ApplicationSerializer(application, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


def _program_fields(program: str, fields: dict, shared: set[str]) -> dict:
    """The fields sent, less those the program does not have: an empty one is dropped, a
    filled one is refused (400 naming it) rather than silently ignored."""
    spec = programs.program(program)
    if spec is None or spec.open_case is None:
        return fields
    parameters = inspect.signature(spec.open_case).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return fields
    taken = set(parameters) | shared | {"amount_requested"}
    foreign = {k: v for k, v in fields.items() if k not in taken}
    errors = {k: [_("Not a field of this program.")] for k, v in foreign.items() if v not in (None, "", False)}
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in fields.items() if k not in foreign}


class TaskDetailSerializer(TaskSerializer):
    duplicate_findings = FindingSerializer(many=True, read_only=True, default=list,
                                           help_text="A step that grants the case: what may mean paying twice")
    override_required = serializers.BooleanField(
        read_only=True, default=False,
        help_text="Approving needs \"override_reason\" (the findings above are not empty)")


@extend_schema_view(claim=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]),
                    complete=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]))
class TaskViewSet(viewsets.GenericViewSet):
    """The work queue: one row per open human task, read from its deadline."""

    # Ids are digits: anything else is no route (404), never a 500 from int().
    lookup_value_regex = "[0-9]+"
    serializer_class = TaskSerializer

    def get_queryset(self):
        return (Deadline.objects.visible_to(self.request.user).filter(subject_type_id=_task_type_id())
                .exclude(status=DeadlineStatus.CLOSED).select_related("assignee"))

    @extend_schema(parameters=[OpenApiParameter("scope", str, enum=["mine", "queue", "all"])])
    def list(self, request):
        user, scope = request.user, request.query_params.get("scope", "mine")
        qs = self.get_queryset()
        if scope == "mine":
            qs = qs.filter(assignee=user)
        elif scope == "queue":
            qs = qs.filter(assignee__isnull=True, role__in=sorted(user.roles))
        elif scope == "all":
            if not user.has_perm("deadlines.view_breaches"):
                raise PermissionDenied("Only supervisors and township heads may list every task.")
        else:
            raise ValidationError({"scope": ["Use mine, queue or all."]})
        # Ascending due time puts the overdue (earliest due) first.
        page = self.paginate_queryset(qs.order_by("due_at", "pk"))
        return self.get_paginated_response(TaskSerializer(page, many=True, context={"now": timezone.now()}).data)

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], responses=TaskDetailSerializer)
    def retrieve(self, request, pk=None):
        """One task, open or done; a step that grants the case lists what the duplicate-benefit
        guard finds before the decision."""
        task, deadline = engine.visible_task_or_404(request.user, int(pk))
        if (task.owner_permission and not request.user.has_perm(task.owner_permission)
                and not request.user.has_perm("deadlines.view_breaches")):
            raise PermissionDenied(_("This step belongs to another role."))
        step = programs.step(deadline.flow, deadline.step)
        is_open = task.status in engine.OPEN_TASK_STATUSES
        found = (guard.findings_for(deadline.application_id)
                 if is_open and deadline.application_id is not None and step is not None and step.guard_on else [])
        data = TaskSerializer(deadline, context={"now": timezone.now()}).data
        data.update(duplicate_findings=findings_data(found), override_required=bool(found))
        return Response(data)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        engine.claim(request.user, int(pk), request=request)
        deadline = self.get_queryset().get(subject_id=pk)
        return Response(TaskSerializer(deadline, context={"now": timezone.now()}).data)

    @extend_schema(request=inline_serializer("StepFields", {"note": serializers.CharField(required=False)}),
                   responses=ApplicationDetailSerializer,
                   description="Fields depend on the flow and step: see API.md, 'Steps of the … flow'.")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task, deadline = engine.visible_task_or_404(request.user, int(pk))
        step = programs.step(deadline.flow, deadline.step)
        if step is None or step.fields is None or step.service is None:
            raise ValidationError({"detail": "This task cannot be completed through this endpoint."})
        # Role first (403), then the fields (400): the engine checks the role again as it completes.
        if task.owner_permission and not request.user.has_perm(task.owner_permission):
            raise PermissionDenied(_("This step belongs to another role."))
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "Send the step's fields as a JSON object."})
        # The step's one form checks the JSON as it checks the web page's POST.
        form = step.fields(request.data, case=_artifact(task, deadline), from_json=True)
        if not form.is_valid():
            raise ValidationError(json_errors(form))
        try:
            result = engine.complete(request.user, task.pk, step.service, request=request, **form.service_fields())
        except guard.OverrideRequired as exc:
            # The reason is missing: say so, with what was found, so the client can show it.
            return Response({**exc.errors, "duplicate_findings": findings_data(exc.findings)},
                            status=status.HTTP_400_BAD_REQUEST)
        if isinstance(result, engine.KeepOpen):
            return Response({"detail": result.message, "waiting": True}, status=status.HTTP_409_CONFLICT)
        if deadline.application_id is None:
            return Response(result_data(result))
        application = Application.objects.get(pk=deadline.application_id)
        return Response(ApplicationDetailSerializer(application, context={"now": timezone.now(),
                                                                          "request": request}).data)


def json_errors(form) -> dict:
    """The form's errors under the names the JSON body uses. A form that reads one JSON
    object into several fields names them in ``json_error_fields`` (form field → "results"
    or "results.tax"); errors of the whole form are the API's ``non_field_errors``."""
    names = {"__all__": "non_field_errors", **getattr(form, "json_error_fields", {})}
    out: dict = {}
    for field, errors in form.errors.get_json_data().items():
        *path, last = names.get(field, field).split(".")
        place = out
        for part in path:
            place = place.setdefault(part, {})
        messages = place.setdefault(last, [])
        messages += [e["message"] for e in errors if e["message"] not in messages]
    return out


def _artifact(task, deadline):
    """What the step's form checks against: the case, or the flow's own artifact."""
    if deadline.application_id is not None:
        return Application.objects.get(pk=deadline.application_id)
    return task.process.artifact


def result_data(result) -> dict:
    """The answer for a flow whose artifact is not a case: its own serializer."""
    from api.funds import ReplenishmentSerializer
    from funds.models import ReplenishmentRequest

    serializers_by_model = {ReplenishmentRequest: ReplenishmentSerializer}
    serializer = serializers_by_model.get(type(result))
    if serializer is None:
        return {"detail": "done"}
    return serializer(result).data


class DocumentView(APIView):
    """The stored PDF itself; the ETag is its SHA-256."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        from documents.models import Document
        from documents.responses import pdf_response

        document = get_visible_or_404(Document.objects.select_related("application", "instalment"),
                                      request.user, pk=pk)
        if not request.user.has_perm("assistance.view_application"):
            raise PermissionDenied("Your role may not read case documents.")
        return pdf_response(document, request._request)



