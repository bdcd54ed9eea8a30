"""Who is asking: the session (see ui.server) -> a `User`; every handler re-checks rights on the
server."""

from __future__ import annotations

import gradio as gr

from assistant.identity.access import AccessService
from assistant.identity.accounts import User

ANONYMOUS = User("anonym", "staff", ())


def current_user(access: AccessService, request: gr.Request | None) -> User:
    """The logged-in user, freshly read (a removed user loses access at once)."""
    name = getattr(request, "username", None) if request is not None else None
    if name is None:
        if access.allow_anonymous:
            return ANONYMOUS
        raise gr.Error("Bitte melden Sie sich an.")
    user = access.user(name)
    if user is None:
        raise gr.Error("Ihr Benutzerkonto besteht nicht mehr.")
    return user


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise gr.Error(f"Keine Berechtigung für {what}.")
