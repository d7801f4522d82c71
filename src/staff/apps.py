from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        from .roles import sync_role_groups
        from .two_factor import check_settings

        check_settings()

        # Roles are groups whose permissions are declared in code (roles.py); keep
        # the database in step after every migrate, including the test database.
        post_migrate.connect(sync_role_groups, dispatch_uid="staff.sync_role_groups")

        from django.contrib.auth.signals import user_logged_in, user_login_failed

        user_login_failed.connect(_login_failed, dispatch_uid="staff.logins.failed")
        user_logged_in.connect(_logged_in, dispatch_uid="staff.logins.succeeded")


def _login_failed(sender, credentials, request=None, **kwargs):
    from . import logins

    # Only attempts the guard let through: a refused one was not even checked.
    if request is not None and getattr(request, "login_checked", False):
        logins.record_failure(request, credentials.get("username"))


def _logged_in(sender, request, user, **kwargs):
    from . import logins, two_factor

    if request is None or not hasattr(request, "session"):
        return
    need = two_factor.need_at_sign_in(user)
    if need is not None:
        # Until the code is entered (or a device set up) the session reaches nothing else.
        request.session[two_factor.SESSION_KEY] = need
    if need != two_factor.Need.CODE and hasattr(request, "COOKIES"):
        # The middleware puts it on the response: this device now knows the account. With
        # a second factor, only once the code is right (two_factor.verified): a password
        # alone must not clear the account's failures nor make a device known.
        request.login_device_cookie = logins.record_success(request, user.get_username())
