"""Home visits in the JSON API (API.md, "Home visits"), for the field app:

    GET  /api/v1/visits/?due_before=<date>&status=&assigned_to=me   visits in the caller's region
    GET  /api/v1/visits/{id}/                                        one visit with its records
    POST /api/v1/visits/{id}/record/                                 a record, safe to resend

The record endpoint is idempotent by the device's ``client_uuid``: the same UUID again
answers 200 with the first record and changes nothing; a UUID used for another visit
answers 409; a visit someone already recorded answers 409 with that record. A photo
comes as multipart form data (``findings`` and ``location`` then as JSON strings).
Role first (403), then region (404); changes through visits.services.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core import inputs
from core.permissions import ActionPermission
from deadlines.calendar import local_zone
from deadlines.models import Deadline
from visits import services
from visits.models import FollowUp, Method, Outcome, Visit, VisitRecord, VisitStatus


def _deadline(visit: Visit) -> Deadline | None:
    found = list(visit.deadlines.all())
    return found[0] if found else None


class VisitSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    household = serializers.IntegerField(source="household_id")
    region = serializers.CharField(source="region_code")
    event = serializers.IntegerField(source="event_id", allow_null=True)
    assigned_to = serializers.SerializerMethodField()
    escalation_level = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(source="window_end")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "person", "person_name", "household", "region", "tier", "kind", "event", "window_start",
                  "window_end", "status", "assigned_to", "escalation_level", "due_at", "overdue", "attempts",
                  "retry_at", "done_at"]

    def get_assigned_to(self, visit) -> str | None:
        return visit.assigned_to.username if visit.assigned_to_id else None

    def get_escalation_level(self, visit) -> int:
        deadline = _deadline(visit)
        return deadline.escalation_level if deadline else 0

    def get_overdue(self, visit) -> bool:
        deadline = _deadline(visit)
        return bool(deadline and deadline.is_overdue(self.context.get("now")))


class RecordSerializer(serializers.ModelSerializer):
    visit = serializers.IntegerField(source="visit_id")
    recorded_by = serializers.CharField(source="recorded_by.username")
    photo = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    visit_status = serializers.CharField(source="visit.status")
    retry_at = serializers.DateTimeField(source="visit.retry_at", allow_null=True)
    follow_up = serializers.SerializerMethodField()
    assistance_link = serializers.SerializerMethodField()

    class Meta:
        model = VisitRecord
        fields = ["id", "visit", "client_uuid", "visited_at", "received_at", "recorded_by", "method", "outcome",
                  "notes", "findings", "photo", "location", "visit_status", "retry_at", "follow_up",
                  "assistance_link"]

    def get_photo(self, record) -> str | None:
        return reverse("visit_record_photo", args=[record.pk]) if record.photo else None

    def get_location(self, record) -> dict | None:
        if record.latitude is None:
            return None
        return {"latitude": str(record.latitude), "longitude": str(record.longitude), "accuracy": record.accuracy_m}

    def get_follow_up(self, record) -> int | None:
        if record.outcome != Outcome.NEEDS_HELP:
            return None
        return FollowUp.objects.filter(record=record).values_list("pk", flat=True).first()

    def get_assistance_link(self, record) -> str | None:
        if record.outcome != Outcome.DANGER:
            return None
        return services.assistance_case_link(record.visit, record) or None


class VisitDetailSerializer(VisitSerializer):
    records = serializers.SerializerMethodField()

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "records"]

    def get_records(self, visit) -> list[dict]:
        rows = visit.records.select_related("recorded_by", "visit").order_by("visited_at", "pk")
        return RecordSerializer(rows, many=True).data


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.Field):
    """An object, or (in multipart form data) the same object as a JSON string."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not data.strip():
                return None
            try:
                # Refuses what no field holds (NUL bytes, NaN, deep nesting), as the middleware
                # does for a JSON body: a form value is read here, past it.
                data = inputs.loads(data)
            except ValueError:
                raise serializers.ValidationError("Send a JSON object.") from None
        if data is not None and not isinstance(data, dict):
            raise serializers.ValidationError("Send a JSON object.")
        return data

    def to_representation(self, value):
        return value


class RecordInputSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    visited_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=Method.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    findings = JSONObjectField(required=False, allow_null=True, default=None)
    location = JSONObjectField(required=False, allow_null=True, default=None,
                               help_text='{"latitude": 35.41, "longitude": 116.59, "accuracy": 20}')
    latitude = serializers.CharField(required=False, allow_blank=True, default="")
    longitude = serializers.CharField(required=False, allow_blank=True, default="")
    accuracy = serializers.CharField(required=False, allow_blank=True, default="")
    photo = serializers.FileField(required=False, allow_null=True, default=None)

    def service_data(self) -> dict:
        data = dict(self.validated_data)
        location = data.pop("location") or {}
        for key in ("latitude", "longitude", "accuracy"):
            data[key] = location.get(key, data[key]) if location else data[key]
        return data


def _due_before(value: str) -> datetime.datetime:
    try:
        day = parse_date(value)
    except ValueError:  # the shape of a date, but no such day (2026-02-30)
        raise ValidationError({"due_before": ["Give a date as YYYY-MM-DD."]}) from None
    if day is None:
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError({"due_before": ["Give a date as YYYY-MM-DD."]}) from None
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=local_zone())
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # Ids are digits: anything else is no route (404), never a 500 from int().
    lookup_value_regex = "[0-9]+"
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "visits.view_visit", "retrieve": "visits.view_visit", "record": "visits.record_visit"}

    def get_serializer_class(self):
        return VisitDetailSerializer if self.action == "retrieve" else VisitSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, only the model's types
            return Visit.objects.none()
        qs = Visit.objects.visible_to(self.request.user).select_related("assigned_to").prefetch_related(
            Prefetch("deadlines", queryset=Deadline.objects.filter(
                subject_type=ContentType.objects.get_for_model(Visit)).only(
                "id", "subject_type_id", "subject_id", "status", "due_at", "escalation_level")))
        if self.action != "list":
            return qs
        params = self.request.query_params
        wanted = params.get("status", "")
        if wanted:
            if wanted not in VisitStatus.values:
                raise ValidationError({"status": [f"Use one of: {', '.join(VisitStatus.values)}."]})
            qs = qs.filter(status=wanted)
        else:
            qs = qs.exclude(status=VisitStatus.CANCELLED)
        if params.get("due_before"):
            # Due before a day: the window closes by that day's first moment.
            qs = qs.filter(window_end__lte=_due_before(params["due_before"]))
        assigned = params.get("assigned_to", "")
        if assigned == "me":
            qs = qs.filter(assigned_to=self.request.user)
        elif assigned == "none":
            qs = qs.filter(assigned_to__isnull=True)
        elif assigned:
            qs = qs.filter(assigned_to__username=assigned)
        return qs.order_by("window_end", "pk")

    @extend_schema(parameters=[
        OpenApiParameter("due_before", str, description="date (YYYY-MM-DD): windows closing by that day's start"),
        OpenApiParameter("status", str, enum=VisitStatus.values, description="default: all but cancelled"),
        OpenApiParameter("assigned_to", str, description="me, none, or a username"),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RecordInputSerializer, responses={201: RecordSerializer, 200: RecordSerializer,
                                                             409: RecordSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def record(self, request, pk=None):
        visit = self.get_object()
        data = RecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            record, created = services.record_visit(request.user, visit, request=request, **data.service_data())
        except services.AlreadyRecorded as exc:
            return Response({"detail": exc.message, "record": RecordSerializer(exc.record).data},
                            status=status.HTTP_409_CONFLICT)
        return Response(RecordSerializer(record).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
