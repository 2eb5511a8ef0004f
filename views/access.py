"""The guards every view uses: one decorator per audience, checked before any work."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def acting_user():
    """The signed-in person as a domain object (not Flask-Login's proxy), for operations and audit."""
    return current_user._get_current_object()


def _only(allowed):
    """A guard: signed in, and `allowed(current_user)`, else 403 before any work."""
    def guard(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return guard


secretariat_required = _only(lambda user: user.is_secretariat)
mission_required = _only(lambda user: user.mission_id is not None)
# The head of the secretariat's powers: the directory, people and roles, tokens, the status.
admin_required = _only(lambda user: user.is_admin)
