from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    """Monthly payment rosters of enrolled cases, bank files and reconciliation, and the
    price subsidy: what pays an ongoing 低保 or 特困 case, once per month."""

    name = "workflows.rosters"
    label = "rosters"
    verbose_name = _("Payment rosters")

    def ready(self):
        from core import integrity

        from .integrity import totals

        integrity.register(totals)
