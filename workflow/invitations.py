"""Sign-in links for focal points: signed (itsdangerous), expiring, bound to their purpose, and
single-use. Each link is used once and on its own: using the link of today's reminder leaves the
link of last week's receipt as good as it was until it expires. A new password or deactivation
(workflow/accounts.py changes the person's nonce) voids every link issued before it.

Links are personal: anywhere a message is shown to someone else (the outbox, the mail sink, a
backup), `redact()` hides the token.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import CursorResult, delete
from sqlalchemy.exc import IntegrityError

from . import audit, clock, links
from .db import db
from .i18n import lazy_gettext as _
from .models import UsedSignInLink, User

PURPOSE = "missiva-sign-in"
LINK = re.compile(r"(/sign-in/)[A-Za-z0-9_\-\.]+")


class InvalidLink(Exception):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _serializer_for(secret_key: str) -> URLSafeTimedSerializer:
    """One serializer per key (a sweep signs a link for every recipient)."""
    return URLSafeTimedSerializer(secret_key, salt=PURPOSE)


def token_for(user: User) -> str:
    return _serializer().dumps({"u": user.id, "n": user.login_nonce, "j": secrets.token_hex(8)})


def link_for(user: User) -> str:
    return links.absolute(f"/sign-in/{token_for(user)}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _max_age() -> timedelta:
    return timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"])


def peek(token: str) -> User:
    """The user a link is for, if it is still good (does not use it)."""
    try:
        data = _serializer().loads(token, max_age=int(_max_age().total_seconds()))
    except SignatureExpired as exc:
        raise InvalidLink(_("This sign-in link has expired. Ask for a new one below.")) from exc
    except BadSignature as exc:
        raise InvalidLink(_("This sign-in link is not valid. Ask for a new one below.")) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.active or user.login_nonce != data.get("n") \
            or db.session.get(UsedSignInLink, _digest(token)) is not None:
        raise InvalidLink(_("This sign-in link has already been used. Ask for a new one below."))
    return user


def redeem(token: str) -> User:
    """Use a link: returns its user and voids this link only (the caller commits)."""
    user = peek(token)
    try:
        with db.session.begin_nested():
            db.session.add(UsedSignInLink(digest=_digest(token), user_id=user.id))
    except IntegrityError as exc:  # the same link, used at the same moment elsewhere
        raise InvalidLink(_("This sign-in link has already been used. Ask for a new one below.")) from exc
    audit.record("signed_in_by_link", user)
    return user


def forget_expired(at: datetime | None = None) -> int:
    """Drop the records of used links that would have expired anyway."""
    cutoff = (at or clock.now()) - _max_age()
    result = db.session.execute(delete(UsedSignInLink).where(UsedSignInLink.used_at < cutoff))
    return cast(CursorResult, result).rowcount


def redact(text: str | None) -> str:
    """A message as others may see it: personal sign-in links shown without their token."""
    return LINK.sub(r"\1…", text or "")


def renew_links(text: str, person: User) -> str:
    """The same text with each personal sign-in link replaced by a new one for `person`."""
    return LINK.sub(lambda match: match.group(1) + token_for(person), text)
