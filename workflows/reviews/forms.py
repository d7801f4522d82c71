"""The forms of ongoing cases: the review's two steps (each serves the web task page and
the API's JSON), reporting a change and a refusal of work on the case page, and the
township list's filters. The forms read fields; the services check the rest."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import figures
from forms.steps import InvestigateForm, MoneyField, StepForm

from .models import ChangeKind, Outcome, Review, ReviewKind, ReviewStatus


def open_review_of(case) -> Review | None:
    return Review.objects.filter(application_id=case.pk, status=ReviewStatus.OPEN).first()


class ReviewInvestigateForm(InvestigateForm):
    recommended_amount = None  # the amount comes from the means test, run again when this is recorded
    submit_label = _("Record the review's investigation")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["findings"].help_text = _(
            "Who lives in the household now, their incomes and assets. The means test is run again as of today "
            "when you record this.")


class ReviewDecideForm(StepForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=Outcome.choices)
    new_amount = MoneyField(label=_("New monthly amount (yuan)"), required=False,
                            help_text=_("For an adjustment; empty: what the means test gives."))
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Required for an adjustment, a gradual exit or a stop: they are written "
                                          "into the household's notice."))
    submit_label = _("Record the decision")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        review = open_review_of(case) if case is not None else None
        means = (review.means or {}) if review is not None else {}
        if "case_eligible" in means:
            verdict = gettext("qualifies") if means["case_eligible"] else gettext("no longer qualifies")
            self.fields["decision"].help_text = gettext(
                "The means test of %(day)s: the case %(verdict)s; it gives %(amount)s yuan a month for %(size)s "
                "people.") % {"day": means.get("on", ""), "verdict": verdict,
                              "amount": figures(means["case_amount"]), "size": means["case_size"]}
            if means["case_eligible"]:
                self.fields["new_amount"].initial = means["case_amount"]
                self.fields["new_amount"].widget.attrs["data-max"] = means["case_amount"]

    def clean(self):
        data = super().clean()
        if data.get("decision") in (Outcome.ADJUST, Outcome.GRADUAL_EXIT, Outcome.STOP) \
                and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("A change of payment must give its reasons in writing."))
        return data


def _members(case) -> list[tuple]:
    members = sorted(case.household.members.all(), key=lambda p: (p.relation != "head", p.pk))
    return [(p.pk, p.name) for p in members]


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("What changed"), choices=ChangeKind.choices)
    member = forms.TypedChoiceField(label=_("Member"), required=False, coerce=int, empty_value=None,
                                    help_text=_("Required for a death."))
    occurred_on = forms.DateField(label=_("Occurred on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Say what changed; a review is opened (a death: to be done within three "
                                       "months)."))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("The household"))] + _members(case)
        self.fields["occurred_on"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        if data.get("kind") == ChangeKind.DEATH and not data.get("member"):
            self.add_error("member", _("Choose the member who died."))
        return data


class WorkRefusalForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int)
    offered = forms.CharField(label=_("Work offered"), max_length=200)
    on = forms.DateField(label=_("Refused on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = _members(case)


class TownshipChangesForm(forms.Form):
    """The filters of the township's list of changes."""

    program = forms.ChoiceField(label=_("Program"), required=False)
    kind = forms.ChoiceField(label=_("Review kind"), required=False,
                             choices=[("", _("All"))] + list(ReviewKind.choices))
    status = forms.ChoiceField(label=_("Review status"), required=False,
                               choices=[("", _("All"))] + list(ReviewStatus.choices))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from workflows.enrolment.models import ProgramCode

        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All"))] + list(ProgramCode.choices)
