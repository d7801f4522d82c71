"""The pages' forms of early warning: following a warning up, uploading a department's
list, and the supervisor's filters. The forms read fields; the services check the rest."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import programs

from .models import Department, FollowUpOutcome, Rule
from .services import cases_since, notices_since


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(label=_("What was done"), widget=forms.RadioSelect, choices=FollowUpOutcome.choices)
    application = forms.TypedChoiceField(label=_("The case opened"), required=False, coerce=int, empty_value=None)
    notice = forms.TypedChoiceField(label=_("The proactive notice sent"), required=False, coerce=int,
                                    empty_value=None)
    note = forms.CharField(label=_("Reason or note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required when no action is taken: say why (e.g. the family supports them, "
                                       "income confirmed above the line)."))

    def __init__(self, *args, warning, **kwargs):
        super().__init__(*args, **kwargs)
        cases = list(cases_since(warning).order_by("-created_at")[:50])
        self.fields["application"].choices = [("", "—")] + [
            (c.pk, gettext("No. %(id)s · %(program)s · %(status)s · received %(date)s") % {
                "id": c.pk, "program": getattr(programs.program(c.program), "label", c.program),
                "status": programs.status_label(c.program, c.status),
                "date": timezone.localtime(c.created_at).strftime("%Y-%m-%d")}) for c in cases]
        notices = list(notices_since(warning).order_by("-created_at")[:50])
        self.fields["notice"].choices = [("", "—")] + [
            (n.pk, gettext("%(program)s · issued %(date)s") % {
                "program": n.get_program_display(), "date": timezone.localtime(n.created_at).strftime("%Y-%m-%d")})
            for n in notices]
        self.has_cases, self.has_notices = bool(cases), bool(notices)

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {"outcome": d["outcome"], "application": d.get("application"), "notice": d.get("notice"),
                "note": d.get("note") or ""}


class ListUploadForm(forms.Form):
    department = forms.ChoiceField(label=_("Whose list"), choices=Department.choices)
    as_of = forms.DateField(label=_("List dated"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("The day the department drew the list up (default: today)."))
    # The columns it must have are listed beside it (their names are Chinese in both languages).
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return day


SHOW = (("open", _("To follow up")), ("overdue", _("Overdue")), ("done", _("Followed up")))
DAYS = ((30, _("Last 30 days")), (90, _("Last 90 days")), (365, _("Last 12 months")))


class WarningFilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=[("", _("All rules")), *Rule.choices])
    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW)


class FiguresForm(forms.Form):
    # The region is the page's ``?region=`` (web.places), like every dashboard's.
    days = forms.TypedChoiceField(label=_("Raised in"), required=False, coerce=int, choices=DAYS, empty_value=90,
                                  initial=90)
