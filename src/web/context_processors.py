def navigation(request):
    """Menu entries by role; computed once per request from the user's cached roles."""
    from .navigation import menu_for

    user = getattr(request, "user", None)
    return {"nav_items": menu_for(user) if user is not None and user.is_authenticated else []}
