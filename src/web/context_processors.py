from staff import two_factor
from staff.roles import Role


def navigation(request):
    """Menu entries by role and who is signed in; computed once per request from the
    user's cached roles and permissions."""
    from .navigation import menu_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    order = {role: i for i, role in enumerate(Role.values)}
    roles = sorted(getattr(user, "roles", ()), key=lambda r: order.get(r, len(order)))
    return {
        "nav_items": menu_for(user, request.path),
        "user_role_labels": [Role(r).label for r in roles if r in order],
        "user_region": getattr(user, "region", None),
        # Reads the roles loaded above: no query of its own.
        "second_factor_link": two_factor.may_enrol(user),
    }
