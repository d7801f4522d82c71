"""Forms for the registry pages: registration, members, corrections, reveals, search."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forms.audit import DateInput
from regions.codes import Level
from regions.models import Region
from registry.models import (
    BALANCE_ASSET_KINDS,
    EXEMPT_INCOME_KINDS,
    AssetKind,
    Condition,
    DisabilityKind,
    IncomeKind,
    Registration,
    Relation,
    Resolution,
)

# Enough for the largest households seen in the registers; the JS button adds forms up to this.
MAX_MEMBERS = 20
GRADE_CHOICES = [("", _("None"))] + [(str(g), _("Grade %(grade)d") % {"grade": g}) for g in range(1, 5)]


def _blank(label):
    return [("", label)]


def village_choices(user) -> list:
    """Villages the user may register in, grouped by township when there is more than one."""
    villages = (
        Region.objects.visible_to(user).filter(level=Level.VILLAGE).select_related("parent").order_by("code")
    )
    groups: dict[str, list] = {}
    for village in villages:
        groups.setdefault(village.parent.name if village.parent else "", []).append((village.code, village.name))
    if len(groups) <= 1:
        return _blank(_("Choose a village or community")) + [c for cs in groups.values() for c in cs]
    return _blank(_("Choose a village or community")) + list(groups.items())


def apply_errors(form, errors: dict) -> None:
    """Put a service's ``{field: [messages]}`` onto a bound form; unknown keys become form errors."""
    for field, messages in errors.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))


class HouseholdForm(forms.Form):
    region = forms.ChoiceField(label=_("Village / community"))
    address = forms.CharField(label=_("Address"), max_length=200)
    registration = forms.ChoiceField(
        label=_("Registration"), choices=Registration.choices, widget=forms.RadioSelect, initial=Registration.RURAL
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = village_choices(user)


class MemberForm(forms.Form):
    """One member. The ID number is only trimmed here: the service checks it and names
    the member in its message, which a field validator here could not."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"), max_length=30,
        help_text=_("18 characters, or the 15 digits of an old card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "id-input"}),
    )
    relation = forms.ChoiceField(label=_("Relation to head"), choices=_blank(_("Choose")) + Relation.choices)
    disability_kind = forms.ChoiceField(
        label=_("Disability"), choices=_blank(_("None")) + DisabilityKind.choices, required=False
    )
    disability_grade = forms.TypedChoiceField(
        label=_("Disability grade"), choices=GRADE_CHOICES, coerce=int, empty_value=None, required=False
    )
    conditions = forms.MultipleChoiceField(
        label=_("Circumstances"), choices=Condition.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["disability_kind"] = data.get("disability_kind") or None
        return data


class BaseMemberFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[MemberForm]:
        """The forms the user filled in, in page order: blank extra rows are not members."""
        return [f for f in self.forms if f.has_changed() or not f.empty_permitted]

    def apply_errors(self, errors) -> None:
        """Map a service's ``errors["members"]``: a list of strings is about the whole
        list; a list of dicts has one entry per member sent, in order."""
        self.non_form_errors()  # runs full_clean, so our additions are not overwritten later
        if errors and all(isinstance(e, dict) for e in errors):
            for form, member_errors in zip(self.filled_forms(), errors, strict=False):
                apply_errors(form, member_errors)
        else:
            self._non_form_errors.extend(str(e) for e in errors)


MemberFormSet = formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=2, min_num=1, validate_min=True,
    max_num=MAX_MEMBERS, validate_max=True,
)


class PersonEditForm(MemberForm):
    """Correct a member's data. The ID number starts blank so the full number is never
    written into the page; typing one replaces it."""

    reason = forms.CharField(
        label=_("Reason for the change"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail, e.g. \"the card was misread at registration\"."),
    )

    field_order = ["name", "id_number", "relation", "disability_kind", "disability_grade", "conditions", "phone",
                   "reason"]

    def __init__(self, *args, masked_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["id_number"]
        field.required = False
        field.label = _("Corrected ID number")
        field.help_text = _("Leave blank to keep %(masked)s. Enter the whole number to correct it.") % {
            "masked": masked_id
        }

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("reason", None)
        if not data.get("id_number"):
            data.pop("id_number", None)
        return data


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500,
        help_text=_("Why the full number is needed; kept in the audit trail."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or last ID digits"), max_length=50, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 王 or 0314")}),
    )
    # A CharField with a select, not a ChoiceField: a village code in scope that is not
    # listed (large scopes list townships only) is still a valid filter.
    region = forms.CharField(label=_("Township or village"), required=False, widget=forms.Select)

    # A select stays usable up to about this many villages; beyond it only townships are listed,
    # though any village code in scope is still accepted from a link.
    MAX_VILLAGE_OPTIONS = 300

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        visible = Region.objects.visible_to(user)
        townships = list(visible.filter(level=Level.TOWNSHIP).order_by("code").values_list("code", "name"))
        villages = visible.filter(level=Level.VILLAGE).order_by("code")
        if villages.count() <= self.MAX_VILLAGE_OPTIONS:
            by_township: dict[str, list] = {}
            for code, name, parent in villages.values_list("code", "name", "parent_id"):
                by_township.setdefault(parent, []).append((code, "\u3000" + name))
            options = []
            for code, name in townships:
                options.append((code, name))
                options.extend(by_township.pop(code, []))
            for rest in by_township.values():  # villages whose township is outside scope (a village user)
                options.extend((c, n.strip()) for c, n in rest)
        else:
            options = townships
        self.fields["region"].widget.choices = _blank(_("All of my region")) + options

    def clean_region(self):
        code = self.cleaned_data["region"]
        if not code:
            return None
        region = (
            Region.objects.visible_to(self.user)
            .filter(code=code, level__in=[Level.TOWNSHIP, Level.VILLAGE]).first()
        )
        if region is None:
            raise forms.ValidationError(_("Choose a township or village in your region."))
        return region


# --- Incomes and assets ---------------------------------------------------------------------------
# Field names are the API's (member, kind, monthly_amount, start, end, note; value, as_of,
# replaces): registry.services names the same fields in its errors, for both.

def _member_choices(members) -> list:
    return [("", _("The household as a whole"))] + [(str(m.pk), m.name) for m in members]


class IncomeForm(forms.Form):
    member = forms.ChoiceField(label=_("Member"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(_("Choose")) + [
        (_("Counted"), [(k.value, k.label) for k in IncomeKind if k not in EXEMPT_INCOME_KINDS]),
        (_("Not counted"), [(k.value, k.label) for k in IncomeKind if k in EXEMPT_INCOME_KINDS]),
    ])
    # Read by core.money.parse_amount in the service: the same messages as the API.
    monthly_amount = forms.CharField(label=_("Monthly amount (yuan)"), max_length=20,
                                     widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    start = forms.DateField(label=_("From"), widget=DateInput(),
                            help_text=_("A change is a new row from its first day; the row it replaces ends the "
                                        "day before."))
    end = forms.DateField(label=_("To"), required=False, widget=DateInput(),
                          help_text=_("Leave empty while it continues."))
    note = forms.CharField(label=_("Source / evidence"), max_length=200, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = _member_choices(members)


class AssetForm(forms.Form):
    member = forms.ChoiceField(label=_("Member"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(_("Choose")) + AssetKind.choices)
    value = forms.CharField(label=_("Value (yuan)"), max_length=20,
                            help_text=_("Zero records that it is no longer held."),
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    as_of = forms.DateField(label=_("As of"), widget=DateInput())
    replaces = forms.ChoiceField(
        label=_("New valuation of"), required=False,
        help_text=_("For a vehicle, a house or another thing already listed. A new deposit or securities "
                    "statement replaces the last one of the same member by itself."))
    note = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, members=(), current=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = _member_choices(members)
        self.fields["replaces"].choices = _blank(_("Nothing: another asset")) + [
            (str(a.pk), f"{a.get_kind_display()} · {a.description or '—'} · {a.value} ({a.as_of:%Y-%m-%d})")
            for a in current if a.kind not in BALANCE_ASSET_KINDS]


class DuplicateResolutionForm(forms.Form):
    """How the county resolved a duplicate registration (registry.services.resolve_duplicate)."""

    resolution = forms.ChoiceField(label=_("How was it resolved?"), choices=Resolution.choices,
                                   widget=forms.RadioSelect)
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
