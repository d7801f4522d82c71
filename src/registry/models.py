from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MONEY_FIELD
from core.scoping import ScopedQuerySet

from .idnumber import mask


class Registration(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class DisabilityKind(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing")
    SPEECH = "speech", _("Speech")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    MULTIPLE = "multiple", _("Multiple")


class Condition(models.TextChoices):
    LIVING_ALONE = "living_alone", _("Living alone")
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly")
    LEFT_BEHIND = "left_behind", _("Left behind")
    ORPHAN = "orphan", _("Orphan")
    UNSUPPORTED_CHILD = "unsupported_child", _("Child without de facto carer")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    DEMENTIA = "dementia", _("Dementia")
    UNABLE_SELF_CARE = "unable_self_care", _("Unable to care for self")
    BEDRIDDEN = "bedridden", _("Bedridden")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class HouseholdQuerySet(ScopedQuerySet):
    scope_field = "region__code"


class Household(models.Model):
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village / community"), on_delete=models.PROTECT,
        related_name="households", limit_choices_to={"level": "village"},
    )
    address = models.CharField(_("address"), max_length=200)
    registration = models.CharField(_("registration"), max_length=10, choices=Registration.choices)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__in=Registration.values), name="household_registration_valid"
            ),
        ]

    def __str__(self):
        head = self.head
        return _("Household %(id)s (%(head)s)") % {"id": self.pk, "head": head.name if head else "—"}

    @property
    def head(self) -> Person | None:
        # Uses the prefetch cache when the caller prefetched members.
        return next((m for m in self.members.all() if m.relation == Relation.HEAD), None)


class PersonQuerySet(ScopedQuerySet):
    scope_field = "household__region__code"


class Person(models.Model):
    """A registered resident. The unique ID number means a person exists once, and
    the household key means they belong to exactly one household at a time."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    relation = models.CharField(_("relation to head"), max_length=10, choices=Relation.choices)
    disability_kind = models.CharField(
        _("disability kind"), max_length=12, choices=DisabilityKind.choices, blank=True, null=True
    )
    disability_grade = models.PositiveSmallIntegerField(_("disability grade"), blank=True, null=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [("reveal_id_number", _("Can reveal full resident ID numbers"))]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head"), name="one_head_per_household"),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True) | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="person_disability_grade_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True, disability_kind__isnull=True)
                | Q(disability_grade__isnull=False, disability_kind__isnull=False),
                name="person_disability_kind_with_grade",
            ),
            models.CheckConstraint(condition=Q(relation__in=Relation.values), name="person_relation_valid"),
        ]
        indexes = [models.Index(fields=["name"], name="person_name_idx")]

    def __str__(self):
        return f"{self.name} {self.masked_id}"

    @property
    def masked_id(self) -> str:
        return mask(self.id_number)

    @property
    def condition_codes(self) -> list[str]:
        return sorted(c.condition for c in self.conditions.all())

    def age_on(self, day) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class PersonCondition(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="conditions")
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        constraints = [
            models.UniqueConstraint(fields=["person", "condition"], name="person_condition_once"),
        ]
        indexes = [models.Index(fields=["condition", "person"], name="condition_person_idx")]

    def __str__(self):
        return self.get_condition_display()


class IncomeKind(models.TextChoices):
    WAGE = "wage", _("Wages")
    BUSINESS = "business", _("Business income")
    FARMING = "farming", _("Farming income")
    PENSION = "pension", _("Pension")
    SUPPORT = "support", _("Support from relatives")
    PROPERTY = "property", _("Property income")
    OTHER = "other", _("Other income")
    # Not counted as income by the 2021 rules; recorded so the investigation is complete.
    VETERAN_BENEFIT = "veteran_benefit", _("Veterans' benefits (not counted)")
    FAMILY_PLANNING_AWARD = "family_planning_award", _("Family-planning award (not counted)")
    SCHOLARSHIP = "scholarship", _("Scholarship (not counted)")
    ASSISTANCE = "assistance", _("Assistance payments (not counted)")


EXEMPT_INCOME_KINDS = frozenset(
    {IncomeKind.VETERAN_BENEFIT, IncomeKind.FAMILY_PLANNING_AWARD, IncomeKind.SCHOLARSHIP, IncomeKind.ASSISTANCE}
)


class IncomeQuerySet(ScopedQuerySet):
    scope_field = "household__region__code"

    def in_force(self, on):
        """The rows that count on the day ``on``: started by then and not ended before it."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class Income(models.Model):
    """A monthly income over a period, of one member or of the household as a whole
    (``person`` empty: e.g. a family business or land rent). A row is the whole monthly
    amount of one kind for its member: a change is a new row from its first day, and
    the row it replaces ends the day before (registry.services.record_income), so the
    rows of a day in the past still say what was known to hold on that day."""

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="incomes")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="incomes",
                               null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=IncomeKind.choices)
    monthly_amount = models.DecimalField(
        _("monthly amount (yuan)"), **MONEY_FIELD, validators=[MinValueValidator(0)]
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    source = models.CharField(_("source / evidence"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = IncomeQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "person_id", "kind", "-valid_from"]
        verbose_name = _("income")
        verbose_name_plural = _("incomes")
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="income_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="income_period_ordered",
            ),
            models.CheckConstraint(condition=Q(kind__in=IncomeKind.values), name="income_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.monthly_amount}"

    @property
    def counted(self) -> bool:
        return self.kind not in EXEMPT_INCOME_KINDS

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class AssetKind(models.TextChoices):
    DEPOSIT = "deposit", _("Bank deposits")
    SECURITIES = "securities", _("Securities")
    VEHICLE = "vehicle", _("Vehicle")
    HOUSE = "house", _("House")
    BUSINESS = "business", _("Business assets")
    OTHER = "other", _("Other")


# Balances, not things: a household's deposits are one sum per member, so a new statement
# replaces the last one. A vehicle or a house is a thing, and a second row is a second one.
BALANCE_ASSET_KINDS = frozenset({AssetKind.DEPOSIT, AssetKind.SECURITIES})


class AssetQuerySet(ScopedQuerySet):
    scope_field = "household__region__code"

    def in_force(self, on):
        """The valuations that hold on the day ``on``: made by then and not replaced before it."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), as_of__lte=on)


class Asset(models.Model):
    """A valuation of an asset of the household, or of one member, as of a day. A new
    valuation is a new row; the one it replaces ends the day before
    (registry.services.record_asset). A value of zero records that it is no longer held."""

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="assets")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="assets",
                               null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    value = models.DecimalField(_("value (yuan)"), **MONEY_FIELD, validators=[MinValueValidator(0)])
    as_of = models.DateField(_("as of"))
    valid_to = models.DateField(_("replaced after"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "kind", "-as_of", "-id"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="asset_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("as_of")),
                name="asset_period_ordered",
            ),
            models.CheckConstraint(condition=Q(kind__in=AssetKind.values), name="asset_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"

    def in_force_on(self, day) -> bool:
        return self.as_of <= day and (self.valid_to is None or self.valid_to >= day)

class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To resolve")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    MOVED = "moved", _("The person was moved to the household being registered")
    CORRECTED = "corrected", _("A record was corrected (a wrong ID number)")
    KEPT = "kept", _("The existing registration stands")


class DuplicateQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class DuplicateRegistration(models.Model):
    """A registration refused because a member's ID number is already registered in
    another household. The county of the existing registration resolves it (moves the
    person, or corrects a record), timed by a deadline; whoever ran into it is told the
    outcome, never where the person is registered."""

    person = models.ForeignKey(Person, verbose_name=_("registered person"), on_delete=models.PROTECT,
                               related_name="duplicate_reports")
    # The existing household's village: its county resolves it (the scope of this row).
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    attempted_name = models.CharField(_("name given"), max_length=50)
    attempted_region_code = models.CharField(_("village of the new registration"), max_length=12)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"),
                                    on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=DuplicateStatus.choices,
                              default=DuplicateStatus.OPEN)
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = DuplicateQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("duplicate registration")
        verbose_name_plural = _("duplicate registrations")
        permissions = [("resolve_duplicateregistration", _("Can resolve duplicate registrations"))]
        constraints = [
            # Trying again from the same village adds nothing: one open report per person and village.
            models.UniqueConstraint(fields=["person", "attempted_region_code"], condition=Q(status="open"),
                                    name="duplicate_open_once"),
            models.CheckConstraint(condition=Q(status__in=DuplicateStatus.values), name="duplicate_status_valid"),
        ]

    def __str__(self):
        return _("Duplicate registration %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("duplicate_list") + f"#duplicate-{self.pk}"

    def deadline_title(self) -> str:
        return str(_("Duplicate registration to resolve: %(name)s") % {"name": self.person.name})
