"""Forms of the visit pages. They only shape input: the services check it."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.codes import Level, ancestor_codes
from regions.models import Region
from staff.models import User
from visits.models import EventKind, FindingArea, FindingLevel, Method, Outcome, Tier

LEVEL_CHOICES = [("", "—")] + list(FindingLevel.choices)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def apply_errors(form, errors: dict) -> None:
    """A service's ``{field: [messages]}`` on a bound form; unknown keys become form errors."""
    for name, messages in errors.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(name if name in form.fields else None, str(message))


class RecordForm(forms.Form):
    """The phone form. ``client_uuid`` is made when the page is shown, so a double tap
    or a resend after a lost connection saves the record once."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    visited_at = forms.DateTimeField(label=_("When"), input_formats=[LOCAL_INPUT],
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT))
    method = forms.ChoiceField(label=_("How"), choices=Method.choices, widget=forms.RadioSelect,
                               initial=Method.IN_PERSON)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}))
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    accuracy = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0, microsecond=0))
        for area in FindingArea:
            self.fields[f"{area.value}_status"] = forms.ChoiceField(label=area.label, choices=LEVEL_CHOICES,
                                                                    required=False)
            self.fields[f"{area.value}_note"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
        limit = settings.VISIT_PHOTO_MAX_BYTES / 1024 / 1024
        self.fields["photo"].help_text = _("JPEG, PNG or WebP, at most %(mb)s MB.") % {"mb": f"{limit:g}"}

    def areas(self):
        """(area, status field, note field) for the template."""
        return [(area, self[f"{area.value}_status"], self[f"{area.value}_note"]) for area in FindingArea]

    def service_data(self) -> dict:
        data = self.cleaned_data
        findings = {area.value: {"status": data.get(f"{area.value}_status") or "",
                                 "note": data.get(f"{area.value}_note") or ""} for area in FindingArea}
        return {"client_uuid": data["client_uuid"], "visited_at": data["visited_at"], "method": data["method"],
                "outcome": data["outcome"], "notes": data.get("notes", ""), "findings": findings,
                "photo": data.get("photo") or None, "latitude": data.get("latitude") or None,
                "longitude": data.get("longitude") or None, "accuracy": data.get("accuracy") or None}


def cadre_choices(household):
    """Active staff who make visits and whose home region contains the household."""
    codes = [household.region_id, *ancestor_codes(household.region_id)]
    return (User.objects.filter(is_active=True, region_id__in=codes, groups__permissions__codename="record_visit",
                                groups__permissions__content_type__app_label="visits")
            .distinct().order_by("last_name", "first_name", "username"))


class PairingForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("Paired cadre"), queryset=User.objects.none(),
                                   empty_label=_("Choose a staff member"))

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadre_choices(household)
        self.fields["cadre"].label_from_instance = lambda u: u.display_name


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    region = forms.ChoiceField(label=_("Region"))
    round_hours = forms.IntegerField(label=_("Visit every high-risk person within (hours)"), min_value=1,
                                     max_value=240)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = (Region.objects.visible_to(user).filter(level__in=[Level.CITY, Level.COUNTY, Level.TOWNSHIP])
                   .order_by("code").only("code", "name", "level"))
        self.fields["region"].choices = [(r.code, f"{r.name} ({r.code})") for r in regions]
        self.fields["round_hours"].initial = settings.VISIT_EVENT_ROUND_HOURS


class FollowUpForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class NotVisitedForm(forms.Form):
    days = forms.IntegerField(label=_("Not visited for more than (days)"), min_value=1, max_value=3650,
                              required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("All tiers"))] + list(Tier.choices), required=False)
