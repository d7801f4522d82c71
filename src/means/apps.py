from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeansConfig(AppConfig):
    name = "means"
    verbose_name = _("Means test")
