"""特困's investigation form: the shared one and the six daily activities."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from forms.steps import FlagField
from workflows.enrolment.forms import EnrolmentInvestigateForm

from .models import ACTIVITIES


class TekunInvestigateForm(EnrolmentInvestigateForm):
    """On the page a tick box per activity; over the API ``"self_care": {"eating": true, …}``."""

    # Over the API the six answers are one object: its error is named "self_care".
    json_error_fields = {"__all__": "self_care"}

    def __init__(self, data=None, *args, case=None, from_json: bool = False, **kwargs):
        care = None
        if from_json and isinstance(data, dict):
            care = data.get("self_care")
            extra = {f"care_{k}": care.get(k) for k in ACTIVITIES} if isinstance(care, dict) else {}
            data = {**data, **extra}
        # Every activity answered with true or false: a missing one is not "not done unaided".
        self._care_given = isinstance(care, dict) and all(isinstance(care.get(k), bool) for k in ACTIVITIES)
        self._from_json = from_json
        super().__init__(data, *args, case=case, from_json=from_json, **kwargs)
        for key, label in ACTIVITIES.items():
            self.fields[f"care_{key}"] = FlagField(label=format_lazy(_("Does it unaided: {}"), label))
        self.order_fields(["investigators", "findings", *[f"care_{k}" for k in ACTIVITIES], "family_signed"])

    def clean(self):
        data = super().clean()
        if self._from_json and not self._care_given:
            self.add_error(None, _("Say for each of the six activities whether the applicant does it unaided "
                                   "(self_care)."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        care = {k: bool(data.pop(f"care_{k}", False)) for k in ACTIVITIES}
        return {**data, "self_care": care}
