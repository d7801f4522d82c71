"""Who acts next on a case: for each open task, its step, who does it (the person who took
it, or the role and the office whose queue holds it) and what they wait for."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from deadlines.labels import step_label
from regions.codes import Level, code_of
from regions.models import Region
from staff.roles import Role

# The office whose queue holds a role's unclaimed work: a township's, or a county's.
ROLE_LEVEL = {Role.CASEWORKER: Level.TOWNSHIP, Role.TOWNSHIP_HEAD: Level.TOWNSHIP,
              Role.COUNTY_REVIEWER: Level.COUNTY, Role.COUNTY_FINANCE: Level.COUNTY, Role.SUPERVISOR: Level.COUNTY}


@dataclass(frozen=True)
class NextActor:
    step: str
    who: str
    taken: bool

    @property
    def sentence(self) -> str:
        return _("Next: %(step)s — %(who)s.") % {"step": self.step, "who": self.who}


def next_actors(deadlines) -> list[NextActor]:
    """One line per open task (deadline rows with their assignee loaded), in one query for the offices' names."""
    offices = {d.pk: code_of(d.region_code, ROLE_LEVEL.get(d.role, Level.TOWNSHIP)) for d in deadlines}
    names = dict(Region.objects.filter(code__in=set(offices.values())).values_list("code", "name"))
    lines = []
    for deadline in deadlines:
        role = Role(deadline.role).label if deadline.role in Role.values else deadline.role
        if deadline.assignee_id:
            who = _("%(name)s (%(role)s) is doing it") % {"name": deadline.assignee.display_name, "role": role}
        else:
            who = _("waiting for a %(role)s of %(office)s to take it") % {
                "role": role, "office": names.get(offices[deadline.pk], offices[deadline.pk])}
        lines.append(NextActor(step_label(deadline.flow, deadline.step), who, bool(deadline.assignee_id)))
    return lines
