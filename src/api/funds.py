"""Reserve funds in the JSON API (API.md, "Reserve funds"):

    GET  /api/v1/funds/                   funds in the caller's region
    GET  /api/v1/funds/{id}/              one fund
    GET  /api/v1/funds/{id}/ledger/       its entries, newest first (?month=YYYY-MM)
    POST /api/v1/funds/{id}/allocations/  {"amount", "reference"} (county finance) → 201 the entry

Role first (403), then region (404, never revealing that the fund exists); changes
through funds.services. An optional Idempotency-Key header makes a repeated
allocation request allocate once.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.errors import InvalidInput
from core.money import AmountApiField
from core.permissions import ActionPermission
from funds import services
from funds.models import EntryKind, FundStatus, LedgerEntry, ReplenishmentRequest, ReserveFund
from funds.statements import parse_month


class FundSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township_id", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    balance = AmountApiField(read_only=True)
    low_water_mark = AmountApiField(read_only=True)
    target_balance = AmountApiField(read_only=True)
    status = serializers.ChoiceField(choices=FundStatus.choices, read_only=True)

    class Meta:
        model = ReserveFund
        fields = ["id", "township", "township_name", "balance", "low_water_mark", "target_balance", "status"]


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices, read_only=True)
    amount = AmountApiField(read_only=True)
    balance_after = AmountApiField(read_only=True)
    change = serializers.SerializerMethodField(help_text="the signed change of the balance")
    application = serializers.IntegerField(source="application_id", read_only=True, allow_null=True)
    instalment = serializers.IntegerField(source="instalment_number", read_only=True, allow_null=True)
    reverses = serializers.IntegerField(source="reverses_id", read_only=True, allow_null=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["id", "at", "kind", "amount", "change", "balance_after", "application", "instalment", "reverses",
                  "reference", "reason", "actor"]

    def get_change(self, entry) -> str:
        return f"{entry.change:.2f}"

    def get_actor(self, entry) -> str | None:
        return entry.actor.get_username() if entry.actor_id else None


class AllocationInputSerializer(serializers.Serializer):
    amount = AmountApiField()
    reference = serializers.CharField(max_length=100, help_text="e.g. the county's payment voucher number")


class ReplenishmentSerializer(serializers.ModelSerializer):
    fund = serializers.IntegerField(source="fund_id", read_only=True)
    township = serializers.CharField(source="fund.township_id", read_only=True)
    amount = AmountApiField(read_only=True)
    allocation = LedgerEntrySerializer(read_only=True)

    class Meta:
        model = ReplenishmentRequest
        fields = ["id", "fund", "township", "origin", "amount", "reason", "status", "requested_at", "decided_at",
                  "decision_reason", "allocation"]


class FundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # Ids are digits: anything else is no route (404), never a 500 from int().
    lookup_value_regex = "[0-9]+"
    serializer_class = FundSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "funds.view_reservefund", "retrieve": "funds.view_reservefund",
                    "ledger": "funds.view_reservefund", "allocations": "funds.allocate"}

    def get_queryset(self):
        return (ReserveFund.objects.visible_to(self.request.user).with_status().select_related("township")
                .order_by("township_id"))

    @extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM: only this month's entries")],
                   responses=LedgerEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        fund = self.get_object()
        entries = fund.entries.select_related("actor").order_by("-id")
        month = request.query_params.get("month")
        if month:
            parsed = parse_month(month)
            if parsed is None:
                raise InvalidInput({"month": [_("Give a month as YYYY-MM.")]})
            entries = entries.filter(month=parsed)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)

    @extend_schema(request=AllocationInputSerializer, responses={201: LedgerEntrySerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER,
                                                required=False,
                                                description="the same key sent again returns the first entry")])
    @action(detail=True, methods=["post"])
    def allocations(self, request, pk=None):
        fund = self.get_object()
        data = AllocationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if len(key) > 64:
            raise InvalidInput({"Idempotency-Key": [_("At most %(n)d characters.") % {"n": 64}]})
        entry = services.allocate(request.user, fund, data.validated_data["amount"],
                                  data.validated_data["reference"], request=request,
                                  idempotency_key=f"allocation:{fund.pk}:{key}" if key else None)
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
