"""特困's case: the enrolment status machine (workflows/enrolment) with this program's
step permissions, and its own fields: the self-care grading from six daily activities
and whether the applicant is unable to work."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assistance.models import Application
from workflows.enrolment.models import EnrolmentCase, EnrolmentDetails, SelfCare

CODE = "tekun"

# The six activities of daily living (《特困人员认定办法》第十五条), in the order the form asks.
ACTIVITIES = {
    "eating": _("Eating"),
    "dressing": _("Dressing"),
    "toileting": _("Using the toilet"),
    "transferring": _("Getting in and out of bed"),
    "walking": _("Walking indoors"),
    "bathing": _("Bathing"),
}


class TekunCase(EnrolmentCase):
    class Meta:
        proxy = True
        verbose_name = _("extreme-poverty case")
        verbose_name_plural = _("extreme-poverty cases")
        permissions = [
            ("do_intake", _("Can take in tekun applications and their documents")),
            ("investigate", _("Can investigate tekun applications")),
            ("county_investigate", _("Can investigate tekun applications of staff relatives")),
            ("verify", _("Can verify tekun applicants' data")),
            ("township_review", _("Can give the township's opinion on tekun")),
            ("township_confirm", _("Can confirm tekun where it is delegated to the township")),
            ("county_confirm", _("Can confirm tekun at the county")),
            ("draw_spot_checks", _("Can draw the county's spot checks of tekun cases")),
        ]


class TekunDetails(EnrolmentDetails):
    case = models.OneToOneField(Application, primary_key=True, on_delete=models.CASCADE, related_name=CODE)
    # True: does it unaided. Keys: ACTIVITIES.
    self_care = models.JSONField(_("daily activities done unaided"), default=dict, blank=True)
    self_care_grade = models.CharField(_("self-care"), max_length=20, choices=SelfCare.choices, blank=True)
    unable_to_work = models.BooleanField(_("unable to work"), null=True, blank=True)
    unable_reason = models.CharField(_("why unable to work"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tekun details")
        verbose_name_plural = _("tekun details")

    def __str__(self):
        return f"{self.case_id} {self.self_care_grade}"
