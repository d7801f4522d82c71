from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Reserve funds")

    def ready(self):
        from core import integrity

        from .integrity import ledgers

        integrity.register(ledgers)
