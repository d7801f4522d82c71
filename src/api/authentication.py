"""API sign-in by token: DRF's, loading the user's home region in the same query (every
request scopes by it, which was a query of its own)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from staff import two_factor


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__region").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if two_factor.must_enrol(token.user):
            # A token from before the role required a second factor: not without one.
            raise exceptions.AuthenticationFailed(_("Your role requires a second factor: set one up on the web first."))
        return (token.user, token)
