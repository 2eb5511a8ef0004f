"""Sign-in links for focal points: signed (itsdangerous), expiring, bound to their purpose, and
single-use — using one changes the user's nonce, which voids every link issued before it.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from . import audit
from .db import db
from .i18n import lazy_gettext as _
from .models import User

PURPOSE = "missiva-sign-in"


class InvalidLink(Exception):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PURPOSE)


def token_for(user: User) -> str:
    return _serializer().dumps({"u": user.id, "n": user.login_nonce})


def link_for(user: User) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/sign-in/{token_for(user)}"


def peek(token: str) -> User:
    """The user a link is for, if it is still good (does not use it)."""
    max_age = current_app.config["INVITATION_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidLink(_("This sign-in link has expired. Ask for a new one below.")) from exc
    except BadSignature as exc:
        raise InvalidLink(_("This sign-in link is not valid. Ask for a new one below.")) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or user.login_nonce != data.get("n"):
        raise InvalidLink(_("This sign-in link has already been used. Ask for a new one below."))
    return user


def redeem(token: str) -> User:
    """Use a link: returns its user and voids it (the caller commits)."""
    user = peek(token)
    user.login_nonce += 1
    audit.record("signed_in_by_link", user)
    return user
