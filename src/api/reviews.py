"""Ongoing 低保 and 特困 cases in the JSON API (documented in docs/api-additions.md):

    POST /api/v1/applications/{id}/changes/       {"kind": "death"|"income"|"household"|"other",
                                                    "member": person id|null, "note", "occurred_on": "YYYY-MM-DD"}
                                                   → 201 the change and the review it opened or joined
    POST /api/v1/applications/{id}/work-refusals/ {"member", "offered", "on": "YYYY-MM-DD"}
                                                   → 201 the refusal (and the cut it brought about, if any)

Township staff of the case's township. Role first (403), then region (404, never
revealing that a record exists); a case that is not being paid answers 409. The review's
steps themselves go through the work queue (POST /api/v1/tasks/{id}/complete/).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from assistance.models import Application
from core.scoping import get_visible_or_404
from workflows.reviews import services
from workflows.reviews.models import ChangeKind, ChangeReport, WorkRefusal

from .means import MethodPermission


class ChangeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.values)
    member = serializers.IntegerField(required=False, allow_null=True, help_text="a person of the household")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    occurred_on = serializers.DateField()


class ChangeSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id")
    member = serializers.IntegerField(source="member_id", allow_null=True)
    review = serializers.IntegerField(source="review_id")
    review_kind = serializers.CharField(source="review.kind")
    review_due_by = serializers.DateField(source="review.due_by", allow_null=True)
    reported_by = serializers.CharField(source="reported_by.username")

    class Meta:
        model = ChangeReport
        fields = ["id", "application", "kind", "member", "note", "occurred_on", "reported_by", "reported_at",
                  "review", "review_kind", "review_due_by"]


class WorkRefusalInputSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    offered = serializers.CharField(max_length=200)
    on = serializers.DateField()


class WorkRefusalSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id")
    member = serializers.IntegerField(source="member_id")
    recorded_by = serializers.CharField(source="recorded_by.username")
    cut = serializers.SerializerMethodField()

    class Meta:
        model = WorkRefusal
        fields = ["id", "application", "member", "offered", "on", "number", "recorded_by", "recorded_at", "cut"]

    def get_cut(self, refusal) -> dict | None:
        change = refusal.benefit_change
        if change is None:
            return None
        return {"kind": change.kind, "month": change.month.strftime("%Y-%m"),
                "monthly_amount": f"{change.monthly_amount:.2f}", "household_size": change.household_size,
                "reason": change.reason}


class _CaseView(GenericAPIView):
    permission_classes = [IsAuthenticated, MethodPermission]

    def application(self) -> Application:
        return get_visible_or_404(Application.objects.filter(program__in=services.PROGRAMS), self.request.user,
                                  pk=self.kwargs["pk"])


class ChangesView(_CaseView):
    """Report a change of circumstance: a death opens a re-check (due within the rule's
    months), any other change a review that re-runs the means test."""

    method_perms = {"POST": ["assistance.view_application", "reviews.add_changereport"]}
    serializer_class = ChangeSerializer

    @extend_schema(request=ChangeInputSerializer, responses={201: ChangeSerializer})
    def post(self, request, pk):
        application = self.application()
        data = ChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_change(request.user, application.pk, request=request, **data.validated_data)
        return Response(ChangeSerializer(report).data, status=status.HTTP_201_CREATED)


class WorkRefusalsView(_CaseView):
    """Record a refusal of suitable work; the rule's number in a row cuts the member's share."""

    method_perms = {"POST": ["assistance.view_application", "reviews.add_workrefusal"]}
    serializer_class = WorkRefusalSerializer

    @extend_schema(request=WorkRefusalInputSerializer, responses={201: WorkRefusalSerializer})
    def post(self, request, pk):
        application = self.application()
        data = WorkRefusalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refusal = services.record_work_refusal(request.user, application.pk, request=request,
                                               **data.validated_data)
        return Response(WorkRefusalSerializer(refusal).data, status=status.HTTP_201_CREATED)
