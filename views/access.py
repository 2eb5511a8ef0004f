"""The guards every view uses: one decorator per audience, checked before any work."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def acting_user():
    """The signed-in person as a domain object (not Flask-Login's proxy), for operations and audit."""
    return current_user._get_current_object()


def secretariat_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_secretariat:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def mission_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.mission_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """The head of the secretariat's powers: the directory, people and roles, tokens, the status."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
