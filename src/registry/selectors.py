"""What a user may read of a household's members: the one definition that the household
pages and the API both follow, so neither shows a role more than the other does.

- Any role that sees households (``registry.view_household``) sees who heads each one:
  the head's name, masked ID number and relation, as the household list shows them.
- A role that sees people (``registry.view_person``) sees every member with their
  circumstances and phone number.
- The birth date is shown only beside the person's full ID number, after an audited
  reveal: it is digits 7–14 of the number, so next to the masked number (area code and
  last four) it would rebuild the whole number without a reveal, and without its audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

# Who heads the household: what every role that sees households is shown.
HEAD_FIELDS = frozenset({"id", "name", "id_number", "relation"})
# Every member, with what the household page's member table shows.
MEMBER_FIELDS = HEAD_FIELDS | {"gender", "age", "disability_kind", "disability_grade", "conditions", "phone"}
# Shown only with the full ID number, after an audited reveal of that person.
REVEALED_FIELDS = frozenset({"birth_date"})


@dataclass(frozen=True)
class MemberDisclosure:
    """``all_members``: every member, or the head only; ``fields``: the member fields
    shown; ``may_reveal``: the role may ask for full numbers (each reveal audited)."""

    all_members: bool
    fields: frozenset[str]
    may_reveal: bool

    def fields_of(self, *, revealed: bool) -> frozenset[str]:
        """The fields of one member, ``revealed`` when their full number was revealed."""
        return self.fields | REVEALED_FIELDS if revealed and self.may_reveal else self.fields

    def members_of(self, members):
        """The members shown out of ``members`` (an iterable of Person)."""
        from .models import Relation

        return list(members) if self.all_members else [m for m in members if m.relation == Relation.HEAD]


def member_disclosure(user) -> MemberDisclosure:
    if user is None or not user.has_perm("registry.view_household"):
        return MemberDisclosure(all_members=False, fields=frozenset(), may_reveal=False)
    if not user.has_perm("registry.view_person"):
        return MemberDisclosure(all_members=False, fields=HEAD_FIELDS, may_reveal=False)
    return MemberDisclosure(all_members=True, fields=MEMBER_FIELDS,
                            may_reveal=user.has_perm("registry.reveal_id_number"))
