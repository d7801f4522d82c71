from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self):
        from .policies import ensure_step_policies

        # Every step a flow declares with a time limit has a national default policy
        # (administrators override it per region and date); a new flow gets its own on migrate.
        post_migrate.connect(ensure_step_policies, dispatch_uid="deadlines.ensure_step_policies")
