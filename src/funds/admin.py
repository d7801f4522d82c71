"""Reserve funds in the admin: funds can be opened and their limits set (through the
services, so it is audited); the ledger, sign-offs and requests are read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.read_only_admin import ReadOnlyAdmin

from . import services
from .models import LedgerEntry, MonthlySignOff, ReplenishmentRequest, ReserveFund


class ReserveFundForm(forms.ModelForm):
    class Meta:
        model = ReserveFund
        fields = ["township", "low_water_mark", "target_balance"]

    def clean(self):
        data = super().clean()
        # The same rules the services apply, shown on the form instead of failing on save.
        try:
            services.validate_limits(data.get("low_water_mark"), data.get("target_balance"))
        except InvalidInput as exc:
            raise ValidationError(exc.errors) from None
        township = data.get("township")
        if township is not None and not self.instance.pk:
            if township.level != "township":
                raise ValidationError({"township": _("A reserve fund belongs to a township or street.")})
            if ReserveFund.objects.filter(township=township).exists():
                raise ValidationError({"township": _("This township already has a reserve fund.")})
        return data



@admin.register(ReserveFund)
class ReserveFundAdmin(admin.ModelAdmin):
    list_display = ["township", "balance", "low_water_mark", "target_balance"]
    search_fields = ["township__code", "township__name"]
    readonly_fields = ["balance", "created_at"]
    fields = ["township", "balance", "low_water_mark", "target_balance", "created_at"]
    raw_id_fields = ["township"]
    form = ReserveFundForm

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("township")

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "township"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the services: the change is checked and audited like any other.
        if change:
            services.set_limits(request.user, obj, low_water_mark=obj.low_water_mark,
                                target_balance=obj.target_balance, request=request)
        else:
            fund = services.open_fund(request.user, obj.township, low_water_mark=obj.low_water_mark,
                                      target_balance=obj.target_balance, request=request)
            obj.pk = fund.pk


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "fund", "at", "kind", "direction", "amount", "balance_after", "application",
                    "instalment_number", "actor"]
    list_filter = ["kind"]
    search_fields = ["fund__township__name", "fund__township__code", "reference", "idempotency_key"]
    date_hierarchy = "at"
    list_select_related = ["fund__township", "actor"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(MonthlySignOff)
class MonthlySignOffAdmin(ReadOnlyAdmin):
    list_display = ["fund", "month", "opening", "closing", "entry_count", "signed_by", "signed_at"]
    list_select_related = ["fund__township", "signed_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ReplenishmentRequest)
class ReplenishmentRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "fund", "origin", "amount", "status", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "origin"]
    list_select_related = ["fund__township", "decided_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
