from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatIfConfig(AppConfig):
    """Policy what-ifs: a hypothetical dibao standard, township limit or amount band, run
    against the registry and the cases as they stand, without changing either."""

    name = "workflows.whatif"
    label = "whatif"
    verbose_name = _("Policy what-if")
