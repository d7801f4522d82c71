from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    # Viewflow stores each task's flow as "<app label>/<module path>": flows must live in an app.
    name = "workflows"
    verbose_name = _("Workflows")
