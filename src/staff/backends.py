"""The authentication backend: Django's ModelBackend (same passwords, same permission
rules), with what every signed-in request pays cut down."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import access, logins
from .models import User


class LoginGuardBackend:
    """First in AUTHENTICATION_BACKENDS: refuses an attempt the login limits do not allow
    (staff.logins) before any password is checked. Django then stops and reports a failed
    login; the request carries why (``login_refused``), for a 429. An allowed attempt is
    marked, so its failure is counted (staff.apps connects the signals)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # a management command or a shell: no client to limit
        refused = logins.refusal(request, username)
        if refused is not None:
            request.login_refused = refused
            raise PermissionDenied
        request.login_checked = True
        return None
    # No get_user(): it signs nobody in, so sessions never name it (and the test client's
    # force_login picks the first backend that has one).


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        # Every request scopes by the home region: load it with the user, not in a query of its own.
        try:
            user = User._default_manager.select_related("region").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        # One query for the roles and permissions together (staff.access) instead of
        # ModelBackend's two; the checks themselves stay ModelBackend's.
        if (obj is None and user_obj.is_active and not user_obj.is_anonymous and not user_obj.is_superuser
                and not access.permissions_loaded(user_obj)):
            access.load(user_obj)
        return super().get_all_permissions(user_obj, obj)
