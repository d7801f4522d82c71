"""What a deadline row shows, the same on every page and in every workbook: the case
it belongs to, how long it is overdue, and who it was escalated to."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from deadlines.subjects import subject_link, subject_title
from registry.models import Household
from staff.models import User, display_name


@dataclass(frozen=True)
class Case:
    text: str
    url: str = ""


def case_of(deadline, *, load_subject: bool = True) -> Case:
    """The work's own page when its subject has one; a household subject links to the
    household; otherwise the application, by number (linked once its page exists).

    Pages prefetch ``subject``; ``load_subject=False`` never loads it."""
    if _of_a_household(deadline):
        return Case(case_text(deadline), reverse("household_detail", args=[deadline.subject_id]))
    url = subject_link(deadline) if load_subject else ""
    if load_subject and (url or deadline.application_id is None):
        # A case's task is named by its case ("Application 12"), not by flow and step codes.
        title = case_text(deadline) if deadline.application_id is not None else subject_title(deadline)
        return Case(title, url)
    if deadline.application_id is not None:
        return Case(case_text(deadline), _application_url(deadline.application_id))
    return Case(case_text(deadline))


def case_text(deadline) -> str:
    """The case of ``case_of(deadline, load_subject=False)`` as text, without a link: what
    a workbook's row shows. ``deadline`` may be a row of plain values naming
    subject_type_id, subject_id, application_id, flow and step."""
    if _of_a_household(deadline):
        return _("Household %(id)s") % {"id": deadline.subject_id}
    if deadline.application_id is not None:
        return _("Application %(id)s") % {"id": deadline.application_id}
    return _("%(flow)s / %(step)s #%(id)s") % {"flow": deadline.flow, "step": deadline.step, "id": deadline.subject_id}


def _of_a_household(deadline) -> bool:
    # Content types are cached by their manager: no query once the process has seen them.
    return deadline.subject_type_id == ContentType.objects.get_for_model(Household).pk


def _application_url(pk: int) -> str:
    # The application page belongs to the assistance app; until it is installed the
    # number is shown without a link.
    try:
        return reverse("application_detail", args=[pk])
    except NoReverseMatch:
        return ""


def overdue_text(hours: int) -> str:
    """"5 hours", "3 days", "3 days 5 hours"."""
    if hours < 24:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days, rest = divmod(hours, 24)
    text = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if rest:
        # Chinese joins the two without a space.
        text = pgettext("duration", "%(days)s %(hours)s") % {
            "days": text, "hours": ngettext("%(n)d hour", "%(n)d hours", rest) % {"n": rest}}
    return text


def staff_names(deadlines) -> dict[str, str]:
    """username → display name for everyone a page's deadlines (or a workbook's chunk of
    rows) were escalated to, in one query."""
    usernames = {name for d in deadlines for name in (d.escalated_to or [])}
    if not usernames:
        return {}
    return {username: display_name(last_name, first_name, username) for username, last_name, first_name in
            User.objects.filter(username__in=usernames).values_list("username", "last_name", "first_name")}


def escalated_names(deadline, names: dict[str, str]) -> list[str]:
    return [names.get(username, username) for username in deadline.escalated_to or []]
