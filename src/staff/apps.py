from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        from .roles import sync_role_groups

        # Roles are groups whose permissions are declared in code (roles.py); keep
        # the database in step after every migrate, including the test database.
        post_migrate.connect(sync_role_groups, dispatch_uid="staff.sync_role_groups")
