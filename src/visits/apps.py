from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Home visits")

    def ready(self):
        from django.utils.translation import pgettext_lazy

        from core import programs
        from registry import changes

        from .services import FLOW, STEP_FOLLOW_UP, STEP_VISIT

        # Visits are timed by deadlines but are not viewflow tasks: their steps are declared
        # for their names and roles; their policies come from this app's migrations.
        programs.register(programs.FlowSpec(FLOW, _("Home visit"), {
            STEP_VISIT: programs.Step(STEP_VISIT, "caseworker", "visits.record_visit",
                                      pgettext_lazy("step", "Visit")),
            STEP_FOLLOW_UP: programs.Step(STEP_FOLLOW_UP, "caseworker", "visits.complete_followup",
                                          _("Visit follow-up")),
        }, demo=_demo))

        # A registry change that may change a person's tier recomputes their plan as soon as
        # it commits (the 10-minute job stays as the net for changes made outside the services).
        changes.subscribe(_recompute_people)


def _recompute_people(person_ids: list[int]) -> None:
    from core.tasks import queue

    queue("visits.recompute_people", person_ids)


def _demo(township_code: str) -> str:
    """Plans and visits for the demo city at once, not at the next beat (seed_demo)."""
    from django.utils.translation import gettext

    from .models import Visit, VisitPlan, VisitStatus
    from .services import recompute_plans

    recompute_plans()  # idempotent: a rerun changes nothing
    plans = VisitPlan.objects.filter(active=True)
    return gettext("Home-visit plans: %(plans)d, with %(visits)d visits scheduled.") % {
        "plans": plans.count(), "visits": Visit.objects.filter(plan__active=True, status=VisitStatus.SCHEDULED).count()}
