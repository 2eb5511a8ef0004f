"""Read-only tokens for the secretariat's integrations and its monitoring: shown once, kept as
their SHA-256, revoked by the head of the secretariat; each creation and revocation audited."""
from __future__ import annotations

import hashlib
import secrets

from . import audit
from .db import db
from .models import ApiToken
from .text import clean_line


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(name: str, actor) -> tuple[ApiToken, str]:
    """A new token and its secret (the only time the secret exists outside the caller's hands)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(name=clean_line(name).strip(), digest=digest(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token_created", actor, detail={"token": token.name})
    return token, secret


def revoke(token: ApiToken, actor) -> None:
    if not token.revoked:
        token.revoked = True
        audit.record("api_token_revoked", actor, detail={"token": token.name})


def listed() -> list[ApiToken]:
    return list(db.session.scalars(db.select(ApiToken).order_by(ApiToken.revoked, ApiToken.created_at.desc())))
