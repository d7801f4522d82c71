"""Early warnings in the JSON API (also in the OpenAPI schema, /api/v1/docs/):

    GET  /api/v1/warnings/                 ?status=open|done (default open) &rule=…
                                           → the caller's region's warnings, paginated, soonest due first
    GET  /api/v1/warnings/{id}/            → one warning
    POST /api/v1/warnings/{id}/follow-up/  {"outcome": "case_opened"|"notice_sent"|"no_action",
                                            "application": id|null, "notice": id|null, "note": ""}
                                           → 200 the warning, followed up; 400 what is missing; 409 already done

Role first (403), then region (404). The follow-up is the township caseworker's
(monitoring.follow_up_warning), as on the page.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.permissions import ActionPermission
from deadlines.models import Deadline
from workflows.monitoring import services
from workflows.monitoring.models import EarlyWarning, FollowUpOutcome, Rule, WarningStatus


class WarningSerializer(serializers.ModelSerializer):
    rule_label = serializers.CharField(source="get_rule_display")
    reason = serializers.CharField()
    household = serializers.IntegerField(source="household_id", allow_null=True)
    person = serializers.IntegerField(source="person_id", allow_null=True)
    not_registered = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    application = serializers.IntegerField(source="application_id", allow_null=True)
    notice = serializers.IntegerField(source="notice_id", allow_null=True)
    done_by = serializers.CharField(source="done_by.username", allow_null=True, default=None)

    class Meta:
        model = EarlyWarning
        fields = ["id", "rule", "rule_label", "reason", "household", "person", "not_registered", "region_code",
                  "raised_at", "due_at", "overdue", "status", "outcome", "application", "notice", "note", "done_by",
                  "done_at"]

    def get_not_registered(self, warning) -> dict | None:
        """A person on a department's list whom the registry does not know: name and masked ID number."""
        if warning.household_id or warning.entry is None:
            return None
        return {"name": warning.entry.name, "id_number": warning.entry.masked_id}

    def get_overdue(self, warning) -> bool:
        deadline = warning.deadline
        return deadline is not None and deadline.is_overdue(self.context.get("now"))


class FollowUpInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.values)
    application = serializers.IntegerField(required=False, allow_null=True, default=None)
    notice = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class WarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "monitoring.view_earlywarning", "retrieve": "monitoring.view_earlywarning",
                    "follow_up": "monitoring.follow_up_warning"}
    serializer_class = WarningSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EarlyWarning.objects.none()
        qs = EarlyWarning.objects.visible_to(self.request.user).select_related("entry", "done_by").prefetch_related(
            Prefetch("deadlines", queryset=Deadline.objects.filter(
                subject_type=ContentType.objects.get_for_model(EarlyWarning)).only(
                "id", "subject_type_id", "subject_id", "status", "due_at")))
        if self.action != "list":
            return qs
        params = self.request.query_params
        wanted = params.get("status", "") or WarningStatus.OPEN
        if wanted not in WarningStatus.values:
            raise ValidationError({"status": [f"Use one of: {', '.join(WarningStatus.values)}."]})
        rule = params.get("rule", "")
        if rule and rule not in Rule.values:
            raise ValidationError({"rule": [f"Use one of: {', '.join(Rule.values)}."]})
        qs = qs.filter(status=wanted, **({"rule": rule} if rule else {}))
        return qs.order_by("due_at", "pk") if wanted == WarningStatus.OPEN else qs.order_by("-done_at", "-pk")

    @extend_schema(parameters=[
        OpenApiParameter("status", str, enum=WarningStatus.values, description="default: open"),
        OpenApiParameter("rule", str, enum=Rule.values),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FollowUpInputSerializer, responses={200: WarningSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        warning = self.get_object()
        data = FollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.follow_up(request.user, warning.pk, request=request, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=warning.pk)).data)
