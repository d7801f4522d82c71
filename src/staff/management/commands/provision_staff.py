"""Create or update many staff accounts from a CSV file.

Columns: username,name,roles,region,email,phone,password (name, email, phone and
password may be left out). Roles are separated by ";" or "|". All or nothing: one
faulty line and no account is touched, so the file can be fixed and run again.
Accounts created without a password get a generated one, written to
--passwords-out (readable by the owner only) or printed.
"""

from __future__ import annotations

import csv
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError, InvalidInput
from regions.management.commands._csvfile import read_csv
from staff.services import provision

from ._common import error_messages, split_roles

REQUIRED = {"username", "roles", "region"}
OPTIONAL = {"name", "email", "phone", "password"}


class _Rollback(Exception):
    """Leaves the transaction so that nothing of a dry run or a faulty file is kept."""


class Command(BaseCommand):
    @property
    def help(self):
        # Translated when shown, in the language active then (argparse cannot take lazy text).
        return _(
            "Create or update staff accounts from a CSV file with the columns "
            "username,name,roles,region,email,phone,password. Nothing is written unless every line is valid."
        )

    def add_arguments(self, parser):
        parser.add_argument("csv", help=_("UTF-8 CSV file (a byte-order mark is allowed)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Check every line, write nothing."))
        parser.add_argument("--passwords-out", metavar="FILE", help=_(
            "Write generated passwords to this CSV file (mode 600) instead of printing them."))

    def handle(self, *args, **options):
        path, dry_run, out = options["csv"], options["dry_run"], options["passwords_out"]
        rows = read_csv(path, required=REQUIRED, optional=OPTIONAL)
        if not rows:
            raise CommandError(_("%(path)s has no data lines.") % {"path": path})
        if out and not dry_run:
            # Find out now, before any password is hashed, that the file cannot be
            # written; without truncating it, as this run may still fail.
            folder = os.path.dirname(os.path.abspath(out))
            if os.path.isdir(out) or not os.access(out if os.path.exists(out) else folder, os.W_OK):
                raise CommandError(_("Cannot write the passwords file %(file)s.") % {"file": out})

        errors: list[str] = []
        results = []
        try:
            with transaction.atomic():
                results = self._provision(rows, errors)
                if errors or dry_run:
                    raise _Rollback
                generated = [(r.user.username, r.generated_password) for r in results if r.generated_password]
                if generated and out:
                    # Inside the transaction: if the file cannot be written, the accounts
                    # whose only copy of the password it holds are not created either.
                    self._write_passwords(out, generated)
        except _Rollback:
            pass

        if errors:
            raise CommandError(
                _("%(path)s has %(n)d error(s); no account was created or changed:") % {"path": path, "n": len(errors)}
                + "\n" + "\n".join(errors)
            )
        counts = {
            "created": sum(r.created for r in results),
            "updated": sum(r.changed and not r.created for r in results),
            "unchanged": sum(not r.changed for r in results),
        }
        if dry_run:
            self.stdout.write(_("Dry run, nothing written. Would create %(created)d, update %(updated)d, "
                                "leave %(unchanged)d unchanged.") % counts)
            return
        self.stdout.write(self.style.SUCCESS(
            _("Staff accounts created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d.") % counts))
        generated = [(r.user.username, r.generated_password) for r in results if r.generated_password]
        if generated and out:
            self.stdout.write(_("%(n)d generated password(s) written to %(file)s.") % {"n": len(generated), "file": out})
        elif generated:
            self.stderr.write(_("Generated passwords, shown only now; hand them over privately:"))
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["username", "password"])
            writer.writerows(generated)

    def _provision(self, rows, errors: list[str]):
        results = []
        first_line: dict[str, int] = {}
        for row in rows:
            v = row.values
            prefix = _("Line %(line)d") % {"line": row.line}
            if row.problem:
                errors.append(f"{prefix}: {row.problem}")
                continue
            username = v["username"]
            if username in first_line:
                errors.append(f"{prefix}: " + _("the username %(user)s is also on line %(other)d.") % {
                    "user": username, "other": first_line[username]})
                continue
            first_line[username] = row.line
            try:
                results.append(provision(
                    None, username=username, roles=split_roles(v["roles"]), region_code=v["region"],
                    password=v.get("password") or None, name=v.get("name", ""), email=v.get("email", ""),
                    phone=v.get("phone", ""), via="provision_staff",
                ))
            except InvalidInput as exc:
                errors.extend(f"{prefix}: {message}" for message in error_messages(exc))
            except DomainError as exc:
                errors.append(f"{prefix}: {exc.message}")
        return results

    @staticmethod
    def _open_private(path):
        # Created with mode 600 from the start, so the passwords are never readable by
        # others, not even for a moment; an existing file is narrowed the same way.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if sys.platform != "win32":
            os.fchmod(fd, 0o600)
        return open(fd, "w", encoding="utf-8", newline="")

    def _write_passwords(self, path, generated):
        try:
            with self._open_private(path) as fh:
                writer = csv.writer(fh)
                writer.writerow(["username", "password"])
                writer.writerows(generated)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": path, "error": exc}) from None
