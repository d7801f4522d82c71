from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Ongoing 低保 and 特困 cases: periodic reviews, changes of circumstance, refusals of
    work, gradual exits and their notices. A flow folder (not a program), registered at start-up."""

    name = "workflows.reviews"
    label = "reviews"
    verbose_name = _("Reviews of enrolled cases")

    def ready(self):
        from core import programs

        from . import exports  # noqa: F401 - registers the township list's export
        from .steps import FLOW

        programs.register(FLOW)
