"""Changes to staff accounts. The commands (create_staff, provision_staff, seed_demo)
and any future admin screen call these, so every account change is validated the
same way and leaves an audit row."""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import InvalidInput, NotPermitted
from core.scoping import code_visible_to
from regions.models import Region

from . import access
from .models import User
from .roles import Role, sync_role_groups

# ASCII only: logins are typed on any keyboard and read aloud over the phone, and
# Unicode look-alikes (Cyrillic а, full-width letters) would make two accounts that
# look the same.
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")
USERNAME_MAX = User._meta.get_field("username").max_length
NAME_MAX = User._meta.get_field("last_name").max_length
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
# No 0/O, 1/l/I: generated passwords are often read off a printed sheet.
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
GENERATED_PASSWORD_LENGTH = 16

# Two-character surnames (复姓) that would otherwise be split after the first character.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 夏侯 司徒 令狐 宇文 长孙 端木 独孤 南宫 西门 澹台 公冶 轩辕 呼延 万俟 闻人".split()
)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def split_name(full_name: str) -> tuple[str, str]:
    """(last_name, first_name) of a full name. A Chinese name is surname first
    (王德明 → 王 / 德明, 欧阳修 → 欧阳 / 修). Any other name stays whole in last_name,
    because User.display_name joins last and first name without a space."""
    full_name = " ".join((full_name or "").split())
    if len(full_name) >= 2 and all(_is_cjk(ch) for ch in full_name):
        surname_length = 2 if full_name[:2] in COMPOUND_SURNAMES and len(full_name) > 2 else 1
        return full_name[:surname_length], full_name[surname_length:]
    return full_name, ""


def generate_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def _snapshot(user: User, roles) -> dict:
    # Never the password, not even its hash: the audit trail is read by supervisors.
    return {
        "username": user.username, "name": f"{user.last_name}{user.first_name}",
        "email": user.email, "phone": user.phone, "region": user.region_id or "",
        "roles": sorted(roles), "is_superuser": user.is_superuser, "is_active": user.is_active,
    }


def _check_actor(actor, *, creating: bool, superuser: bool) -> None:
    """None is the system itself (a command run by the operator on the server)."""
    if actor is None:
        return
    if not actor.has_perm("staff.add_user" if creating else "staff.change_user"):
        raise NotPermitted(_("Your role may not manage staff accounts."))
    if superuser and not actor.is_superuser:
        raise NotPermitted(_("Only a superuser may grant superuser rights."))


def _validate(
    actor, *, username, roles, region_code, password, password_hash, name, email, phone, superuser
) -> Region | None:
    """The home region; raises InvalidInput naming every faulty field at once."""
    errors: dict[str, list[str]] = {}

    if not username:
        errors["username"] = [_("Enter a username.")]
    elif len(username) > USERNAME_MAX:
        errors["username"] = [_("A username has at most %(n)d characters.") % {"n": USERNAME_MAX}]
    elif not USERNAME_RE.match(username):
        errors["username"] = [_("A username uses Latin letters, digits and . _ @ + - and starts with a letter "
                                "or digit.")]

    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        errors["roles"] = [_("Unknown role(s): %(unknown)s. The roles are: %(known)s.") % {
            "unknown": ", ".join(unknown), "known": ", ".join(Role.values)}]
    elif not roles and not superuser:
        errors["roles"] = [_("Give the staff member at least one role.")]

    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        # A region outside the actor's own is reported exactly like a missing one.
        if region is None or (actor is not None and not code_visible_to(actor, region.code)):
            region = None
            errors["region"] = [_("There is no region with the code %(code)s.") % {"code": region_code}]
    elif not superuser:
        errors["region"] = [_("Choose the staff member's home region (a superuser may have none).")]

    if len(name) > NAME_MAX:
        errors["name"] = [_("A name has at most %(n)d characters.") % {"n": NAME_MAX}]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [_("A phone number has 5 to 20 digits.")]

    if password and password_hash:
        errors["password"] = [_("Give a password or a password hash, not both.")]
    elif password:
        last, first = split_name(name)
        probe = User(username=username, last_name=last, first_name=first, email=email)
        try:
            validate_password(password, probe)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    elif password_hash:
        try:
            identify_hasher(password_hash)
        except ValueError:
            errors["password"] = [_("The password hash is not in a format this system knows.")]
    if errors:
        raise InvalidInput(errors)
    return region


def _groups(roles: list[str]) -> list[Group]:
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(roles):
        # Role groups are made by post_migrate; a database migrated before a role
        # was added lacks its group until the next migrate, so make it now.
        sync_role_groups()
        groups = list(Group.objects.filter(name__in=roles))
    return groups


@dataclass(frozen=True)
class Provisioned:
    user: User
    created: bool
    changed: bool  # False when the account already was exactly as asked
    generated_password: str | None


def provision_staff_user(
    actor,
    *,
    username: str,
    roles,
    region_code: str | None,
    password: str | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    superuser: bool = False,
    request=None,
) -> tuple[User, bool, str | None]:
    """Create or update a staff account; returns (user, created, generated password
    or None). ``provision`` has the rules, and also tells whether anything changed."""
    result = provision(
        actor, username=username, roles=roles, region_code=region_code, password=password, name=name,
        email=email, phone=phone, superuser=superuser, request=request,
    )
    return result.user, result.created, result.generated_password


def provision(
    actor,
    *,
    username: str,
    roles,
    region_code: str | None,
    password: str | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    superuser: bool = False,
    password_hash: str | None = None,
    via: str = "",
    request=None,
) -> Provisioned:
    """Create or update the account ``username`` so it has exactly these roles,
    this home region and this superuser flag.

    Idempotent: the same call twice changes nothing the second time and writes no
    second audit row. Name, e-mail and phone are changed only when given, so a
    provisioning file without those columns does not wipe them. The password is set
    when given (``password``, checked by the password validators, or an already
    hashed ``password_hash`` for bulk provisioning, where hashing each password
    takes about half a second); a new account given neither gets a random password,
    returned once and stored nowhere in clear. ``via`` names the tool in the audit row.
    """
    username = (username or "").strip()
    name = " ".join((name or "").split())
    email = (email or "").strip()
    phone = (phone or "").strip()
    region_code = (region_code or "").strip()
    roles = sorted({(r or "").strip() for r in roles or [] if (r or "").strip()})
    region = _validate(
        actor, username=username, roles=roles, region_code=region_code, password=password,
        password_hash=password_hash, name=name, email=email, phone=phone, superuser=superuser,
    )

    with transaction.atomic():
        # Lock the account: two provisioning runs must not both create it or
        # interleave their role changes.
        user = User.objects.select_for_update().filter(username=username).first()
        created = user is None
        _check_actor(actor, creating=created, superuser=superuser)
        if created:
            user = User(username=username)
            before = None
        else:
            if actor is not None and not actor.is_superuser and not code_visible_to(actor, user.region_id or ""):
                raise InvalidInput({"username": [_("This username is taken by a staff member outside your region.")]})
            before = _snapshot(user, user.groups.filter(name__in=Role.values).values_list("name", flat=True))

        if name:
            user.last_name, user.first_name = split_name(name)
        if email:
            user.email = email
        if phone:
            user.phone = phone
        user.region = region
        if user.is_superuser != superuser:
            user.is_superuser = superuser
            # The Django admin site is for superusers only; a demoted superuser leaves it too.
            user.is_staff = superuser

        generated = None
        password_changed = False
        if password_hash:
            password_changed = user.password != password_hash
            user.password = password_hash
        elif password:
            password_changed = created or not user.check_password(password)
            if password_changed:
                user.set_password(password)
        elif created:
            generated = generate_password()
            user.set_password(generated)
            password_changed = True

        user.save()
        user.groups.set(_groups(roles))
        access.forget(user)  # what this object read of its roles and permissions is out of date
        after = _snapshot(user, roles)

        changed = created
        extra = {"password_set": password_changed, "password_generated": generated is not None}
        if via:
            extra["via"] = via
        if created:
            audit.record("staff.user.created", actor=actor, obj=user, region_code=region_code, after=after,
                         extra=extra, request=request)
        else:
            old, new = audit.diff(before, after)
            changed = bool(new) or password_changed
            if changed:
                audit.record("staff.user.updated", actor=actor, obj=user, region_code=region_code,
                             before=old, after=new, extra=extra, request=request)
    return Provisioned(user=user, created=created, changed=changed, generated_password=generated)
