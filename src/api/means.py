"""A household's incomes, assets and means test in the JSON API (API.md, "Version 1
additions"):

    GET|POST /api/v1/households/{id}/incomes/     rows current and past; POST records one → 201
    GET|POST /api/v1/households/{id}/assets/      valuations current and past; POST records one → 201
    GET      /api/v1/households/{id}/means-test/  ?program=dibao|tekun&on=YYYY-MM-DD

Role first (403), then region (404, never revealing that the household exists); rows are
written by registry.services.record_income / record_asset, the test is means.services.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.errors import InvalidInput
from core.money import parse_amount
from core.scoping import get_visible_or_404
from means.calculation import MeansResult
from means.services import check_program, means_test
from registry import services as registry
from registry.models import Asset, AssetKind, Household, Income, IncomeKind

DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


@extend_schema_field(OpenApiTypes.STR)
class AmountField(serializers.Field):
    """An amount in yuan, zero or more, at most two places ("800.00"); core.money's messages."""

    def to_internal_value(self, data):
        try:
            return parse_amount(data, self.field_name, allow_zero=True)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.errors[self.field_name]) from None

    def to_representation(self, value):
        return money(value)


class MethodPermission(BasePermission):
    """The role's permission for the request's method: ``method_perms = {"GET": [...], "POST": [...]}``."""

    def has_permission(self, request, view):
        # HEAD is answered by get(): it needs what GET needs.
        method = "GET" if request.method == "HEAD" else request.method
        return all(request.user.has_perm(p) for p in view.method_perms.get(method, ()))


class IncomeSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    member = serializers.IntegerField(source="person_id", allow_null=True)
    member_name = serializers.CharField(source="person.name", allow_null=True, default=None)
    counted = serializers.BooleanField()
    monthly_amount = AmountField()
    start = serializers.DateField(source="valid_from")
    end = serializers.DateField(source="valid_to", allow_null=True)
    note = serializers.CharField(source="source")
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)

    class Meta:
        model = Income
        fields = ["id", "household", "member", "member_name", "kind", "counted", "monthly_amount", "start", "end",
                  "note", "recorded_at", "recorded_by"]


class IncomeInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text="a member's person id; null: the household as a whole")
    kind = serializers.ChoiceField(choices=IncomeKind.choices)
    monthly_amount = AmountField()
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class AssetSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    member = serializers.IntegerField(source="person_id", allow_null=True)
    member_name = serializers.CharField(source="person.name", allow_null=True, default=None)
    value = AmountField()
    note = serializers.CharField(source="description")
    replaced_after = serializers.DateField(source="valid_to", allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)

    class Meta:
        model = Asset
        fields = ["id", "household", "member", "member_name", "kind", "value", "as_of", "replaced_after", "note",
                  "recorded_at", "recorded_by"]


class AssetInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    value = AmountField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    member = serializers.IntegerField(required=False, allow_null=True, default=None)
    as_of = serializers.DateField(required=False, allow_null=True, default=None, help_text="default: today")
    replaces = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="the asset row this valuation replaces (a vehicle, a house…)")


class _HouseholdRows(GenericAPIView):
    permission_classes = [IsAuthenticated, MethodPermission]

    def household(self) -> Household:
        return get_visible_or_404(Household.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def rows(self, household):
        raise NotImplementedError

    def get(self, request, pk):
        page = self.paginate_queryset(self.rows(self.household()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class HouseholdIncomesView(_HouseholdRows):
    serializer_class = IncomeSerializer
    method_perms = {"GET": ["registry.view_income"], "POST": ["registry.view_income", "registry.add_income"]}

    def rows(self, household):
        return (Income.objects.filter(household=household).select_related("person", "recorded_by")
                .order_by("person_id", "kind", "-valid_from", "-id"))

    @extend_schema(request=IncomeInputSerializer, responses={201: IncomeSerializer})
    def post(self, request, pk):
        household = self.household()
        data = IncomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        income = registry.record_income(request.user, household, request=request, **data.validated_data)
        return Response(IncomeSerializer(income).data, status=status.HTTP_201_CREATED)


class HouseholdAssetsView(_HouseholdRows):
    serializer_class = AssetSerializer
    method_perms = {"GET": ["registry.view_asset"], "POST": ["registry.view_asset", "registry.add_asset"]}

    def rows(self, household):
        return (Asset.objects.filter(household=household).select_related("person", "recorded_by")
                .order_by("kind", "-as_of", "-id"))

    @extend_schema(request=AssetInputSerializer, responses={201: AssetSerializer})
    def post(self, request, pk):
        household = self.household()
        data = AssetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        asset = registry.record_asset(request.user, household, request=request, **data.validated_data)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)


class _LineSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount = serializers.CharField(help_text="yuan, two places")


class _IndividualSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()
    own_income = serializers.CharField()
    amount = serializers.CharField()


class MeansTestSerializer(serializers.Serializer):
    """The answer's shape, for the schema (the view writes it with ``means_body``). Money:
    monthly yuan as strings with two places; null where no standard is in force."""

    household = serializers.IntegerField()
    program = serializers.ChoiceField(choices=["dibao", "tekun"])
    on = serializers.DateField()
    complete = serializers.BooleanField(help_text="false: a standard or rule is missing, or nobody is counted")
    standard = serializers.CharField(allow_null=True, help_text="the program's, per person a month")
    dibao_standard = serializers.CharField(allow_null=True)
    members = serializers.IntegerField()
    counted_income = serializers.CharField()
    exempt_income = serializers.CharField()
    deductions = serializers.CharField()
    per_capita_income = serializers.CharField()
    assets_ok = serializers.BooleanField()
    eligible = serializers.BooleanField()
    near_dibao = serializers.BooleanField()
    monthly_amount = serializers.CharField()
    covered = serializers.ListField(child=serializers.IntegerField(), help_text="the members the amount is for")
    individual_coverage = _IndividualSerializer(many=True)
    lines = _LineSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField())


def means_body(result: MeansResult) -> dict:
    return {
        "household": result.household_id, "program": result.program, "on": result.on.isoformat(),
        "complete": result.complete, "standard": money(result.standard), "dibao_standard": money(result.dibao_standard),
        "members": result.members, "counted_income": money(result.counted_income),
        "exempt_income": money(result.exempt_income), "deductions": money(result.deductions),
        "per_capita_income": money(result.per_capita_income), "assets_ok": result.assets_ok,
        "eligible": result.eligible, "near_dibao": result.near_dibao, "monthly_amount": money(result.monthly_amount),
        "covered": list(result.covered),
        "individual_coverage": [{"member": i.person_id, "name": i.name, "reason": str(i.why),
                                 "own_income": money(i.own_income), "amount": money(i.amount)}
                                for i in result.individual_coverage],
        "lines": [{"label": line.label, "amount": money(line.amount)} for line in result.lines],
        "reasons": [str(r) for r in result.reasons],
    }


class MeansTestView(GenericAPIView):
    permission_classes = [IsAuthenticated, MethodPermission]
    method_perms = {"GET": ["registry.view_household", "registry.view_income", "registry.view_asset"]}

    @extend_schema(
        parameters=[OpenApiParameter("program", str, enum=["dibao", "tekun"], description="default: dibao"),
                    OpenApiParameter("on", OpenApiTypes.DATE, description="YYYY-MM-DD; default: today")],
        responses={200: MeansTestSerializer})
    def get(self, request, pk):
        household = get_visible_or_404(Household.objects.all(), request.user, pk=pk)
        params = request.query_params
        errors = {}
        program = params.get("program", "dibao")
        try:
            check_program(program)
        except InvalidInput as exc:
            errors.update(exc.errors)
        on = timezone.localdate()
        if "on" in params:
            try:
                if not DAY_RE.match(params["on"]):
                    raise ValueError(params["on"])
                on = datetime.date.fromisoformat(params["on"])
            except ValueError:
                errors["on"] = [_("Enter a day as YYYY-MM-DD.")]
        if errors:
            raise InvalidInput(errors)
        return Response(means_body(means_test(household, program, on)))
