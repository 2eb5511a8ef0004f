"""Signing people in and out, server-side: a session is a row, so signing out, a new password or
deactivation ends it for every copy of the cookie. Checking a password costs the same whether or
not the address is known, so the time of an answer does not tell who has an account.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, clock
from .db import db
from .kinds import MailState
from .models import OutboxMessage, SignInSession, User
from .text import clean

HELD_BACK = "Not sent: the recipient was deactivated before it left."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _decoy_hash() -> str:
    """A hash made with the configured method, checked when the address is unknown."""
    cache = current_app.extensions.setdefault("missiva_decoy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return cache[method]


def authenticate(email: str, password: str) -> User | None:
    """The active person with this address and password, or None — in the same time either way."""
    user = db.session.scalar(db.select(User).filter_by(email=clean(email).strip().lower()))
    if user is None or not user.password_hash:
        check_password_hash(_decoy_hash(), clean(password))
        return None
    return user if user.check_password(password) and user.active else None


def start_session(user: User) -> str:
    """A new signed-in session for `user`; its token is what the cookie will carry."""
    token = secrets.token_urlsafe(32)
    db.session.add(SignInSession(digest=_digest(token), user_id=user.id))
    user.session_token = token
    return token


def load_session(token: str) -> User | None:
    """The person a session token belongs to, while the session stands and the person is active."""
    row = db.session.scalar(db.select(SignInSession).where(
        SignInSession.digest == _digest(token), SignInSession.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    row.user.session_token = token
    return row.user


def end_session(user: User) -> None:
    if user.session_token:
        db.session.execute(update(SignInSession).where(
            SignInSession.digest == _digest(user.session_token), SignInSession.revoked_at.is_(None))
            .values(revoked_at=clock.now()))


def end_all_sessions(user: User) -> None:
    """Sign the person out everywhere and void every sign-in link issued to them."""
    db.session.execute(update(SignInSession).where(
        SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None)).values(revoked_at=clock.now()))
    user.login_nonce += 1


def set_password(user: User, password: str, actor=None) -> None:
    user.set_password(password)
    end_all_sessions(user)
    audit.record("password_changed", actor or user, detail={"user": user.email})


def deactivate(user: User, actor) -> None:
    """The person can no longer sign in or receive mail (what was still waiting to go to them is
    held back); nothing they did is touched."""
    user.active = False
    end_all_sessions(user)
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.recipient == user.email, OutboxMessage.state == MailState.PENDING.value)
        .values(state=MailState.FAILED.value, last_error=HELD_BACK))
    audit.record("user_deactivated", actor, mission=user.mission, detail={"user": user.email})
