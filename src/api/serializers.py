from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from regions.models import Region
from registry.models import Condition, DisabilityKind, Household, Person, Registration, Relation
from registry.selectors import MemberDisclosure, member_disclosure


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    roles = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)

    def get_region(self, user) -> dict | None:
        if user.region is None:
            # A superuser without a home region administers the whole tree.
            return None
        return {"code": user.region.code, "name": user.region.name, "level": user.region.level}


def disclosure_of(context) -> MemberDisclosure:
    """What the caller may read of members (registry.selectors, as the household page):
    given by the view, else worked out from the request's user."""
    disclosure = context.get("disclosure")
    if disclosure is None:
        request = context.get("request")
        disclosure = member_disclosure(getattr(request, "user", None))
        context["disclosure"] = disclosure
    return disclosure


class MemberSerializer(serializers.ModelSerializer):
    """A member as read: only the fields the caller's roles show on the household page
    (registry.selectors). The ID number is masked and the birth date left out unless the
    view put this person's pk in context["revealed"] (after an audited reveal)."""

    id_number = serializers.SerializerMethodField()
    conditions = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "gender", "birth_date", "age", "relation",
                  "disability_kind", "disability_grade", "conditions", "phone"]

    def _revealed(self, person) -> bool:
        return person.pk in self.context.get("revealed", ())

    def to_representation(self, person):
        shown = disclosure_of(self.context).fields_of(revealed=self._revealed(person))
        return {name: value for name, value in super().to_representation(person).items() if name in shown}

    def get_id_number(self, person) -> str:
        return person.id_number if self._revealed(person) else person.masked_id

    def get_conditions(self, person) -> list[str]:
        return person.condition_codes

    def get_age(self, person) -> int:
        return person.age_on(timezone.localdate())


class HouseholdSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "region", "region_name", "address", "registration", "members", "created_at", "updated_at"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household) -> list[dict]:
        # A role that does not see people is shown the head only, as on the household list.
        shown = disclosure_of(self.context).members_of(household.members.all())
        return MemberSerializer(shown, many=True, context=self.context).data


class MemberInputSerializer(serializers.Serializer):
    """Shape of a member as written. Types only: the registry service checks the
    content (ID rules, one head, duplicates) and names the member in each message."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=40)
    relation = serializers.ChoiceField(choices=Relation.choices)
    disability_grade = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    disability_kind = serializers.ChoiceField(choices=DisabilityKind.choices, required=False, allow_null=True)
    conditions = serializers.ListField(child=serializers.ChoiceField(choices=Condition.choices), required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class HouseholdInputSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=12, help_text="12-digit code of a village or community")
    address = serializers.CharField(max_length=200)
    registration = serializers.ChoiceField(choices=Registration.choices)
    members = MemberInputSerializer(many=True, allow_empty=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=20,
        help_text=("The code from the authenticator app, for an account that signs in with a second factor "
                    "(two-step sign-in, set up on the web). Other accounts leave it out."))


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class BreachSerializer(serializers.Serializer):
    """One open breach; ``overdue`` comes from the single definition in deadlines."""

    id = serializers.IntegerField()
    task = serializers.SerializerMethodField()
    application = serializers.IntegerField(source="application_id", allow_null=True)
    flow = serializers.CharField()
    step = serializers.CharField()
    region = serializers.CharField(source="region_code")
    due_at = serializers.DateTimeField()
    overdue_by_hours = serializers.SerializerMethodField()
    escalation_level = serializers.IntegerField()
    escalated_to = serializers.ListField(child=serializers.CharField())
    provisional = serializers.BooleanField()

    def get_task(self, deadline) -> int | None:
        return deadline.subject_id if deadline.subject_type_id == self.context.get("task_type_id") else None

    def get_overdue_by_hours(self, deadline) -> int:
        return deadline.overdue_by_hours(self.context.get("now"))
