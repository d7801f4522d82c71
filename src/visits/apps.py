from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Home visits")

    def ready(self):
        from django.utils.translation import pgettext_lazy

        from core import programs

        from .services import FLOW, STEP_FOLLOW_UP, STEP_VISIT

        # Visits are timed by deadlines but are not viewflow tasks: their steps are declared
        # for their names and roles; their policies come from this app's migrations.
        programs.register(programs.FlowSpec(FLOW, _("Home visit"), {
            STEP_VISIT: programs.Step(STEP_VISIT, "caseworker", "visits.record_visit",
                                      pgettext_lazy("step", "Visit")),
            STEP_FOLLOW_UP: programs.Step(STEP_FOLLOW_UP, "caseworker", "visits.complete_followup",
                                          _("Visit follow-up")),
        }))
