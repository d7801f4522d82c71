"""Create or update one staff account from the command line.

    manage.py create_staff lihua --role caseworker --region 370811001000 --password '…' --name 李华

Running it again with other options updates the account: the roles and the home
region become exactly those given (the account is provisioned, not appended to).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import DomainError, InvalidInput
from staff.roles import Role
from staff.services import provision

from ._common import error_messages, split_roles

OPTION_LABELS = {"roles": "--role", "region": "--region", "password": "--password", "name": "--name",
                 "email": "--email", "phone": "--phone"}


class Command(BaseCommand):
    @property
    def help(self):
        # Translated when shown, in the language active then (argparse cannot take lazy text).
        return _(
            "Create a staff account, or update it to exactly the roles and region given. "
            "Without --password a new account gets a generated password, printed once."
        )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", action="append", dest="roles", default=[], metavar="ROLE",
            help=_("A role (repeat for several): %(roles)s.") % {"roles": ", ".join(Role.values)},
        )
        parser.add_argument("--region", default="", help=_("12-digit code of the home region."))
        parser.add_argument("--password", default=None, help=_(
            "Password to set. Note that it stays in the shell history; omit it to have one generated."))
        parser.add_argument("--name", default="", help=_("Full name, e.g. 李华."))
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--superuser", action="store_true", help=_(
            "A Django superuser: administrator of the whole tree; --role and --region become optional."))

    def handle(self, *args, **options):
        roles = [r for cell in options["roles"] for r in split_roles(cell)]
        if not roles and not options["superuser"]:
            raise CommandError(_("Give at least one --role (%(roles)s), or --superuser.") % {
                "roles": ", ".join(Role.values)})
        if not options["region"] and not options["superuser"]:
            raise CommandError(_("Give the home region with --region <12-digit code>."))
        try:
            result = provision(
                None, username=options["username"], roles=roles, region_code=options["region"],
                password=options["password"], name=options["name"], email=options["email"],
                phone=options["phone"], superuser=options["superuser"], via="create_staff",
            )
        except InvalidInput as exc:
            raise CommandError(
                _("The staff account was not saved:") + "\n" + "\n".join(error_messages(exc, OPTION_LABELS))
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None

        user = result.user
        details = {
            "user": user.username,
            "roles": ", ".join(sorted(user.roles)) or "—",
            "region": user.region.path_name() if user.region_id else _("whole tree"),
        }
        if result.created:
            self.stdout.write(self.style.SUCCESS(
                _("Created staff account %(user)s with role(s) %(roles)s in %(region)s.") % details))
        elif not result.changed:
            self.stdout.write(_("Staff account %(user)s already has role(s) %(roles)s in %(region)s; "
                                "nothing changed.") % details)
        else:
            self.stdout.write(self.style.SUCCESS(
                _("Updated staff account %(user)s: role(s) %(roles)s in %(region)s.") % details))
        if not user.is_active:
            self.stderr.write(_("Note: the account %(user)s is deactivated and cannot log in until it is "
                                "activated again.") % details)
        if result.generated_password:
            self.stdout.write(_("Generated password (shown only now): %(password)s") % {
                "password": result.generated_password})
