"""What each person sets for themselves: language, time zone, digest (none, daily, weekly) and,
for secretariat staff, which calls it covers; the defaults the head sets for new staff; and the
one-click way out of a digest that needs no signing in (RFC 8058)."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from . import audit, links
from .checks import LANGUAGES, known_zone
from .db import db
from .models import SiteSetting, User

DIGESTS = ("none", "daily", "weekly")
STAFF_DEFAULTS = "staff_defaults"
STANDARD_DEFAULTS = {"digest": "weekly", "follows_all": True}


def update(person: User, actor: User, *, locale: str, timezone: str | None, digest: str,
           follows_all: bool = True, followed_calls: list[int] | None = None) -> dict:
    """Store a person's own settings (checked by the form); audited with what changed."""
    wanted: dict = {"locale": locale if locale in LANGUAGES else None,
              "timezone": timezone if known_zone(timezone) else None,
              "digest": digest if digest in DIGESTS else "none"}
    if person.is_secretariat:
        wanted["follows_all"] = bool(follows_all)
        wanted["followed_calls"] = None if follows_all else sorted(set(followed_calls or []))
    changed = {name: value for name, value in wanted.items() if getattr(person, name) != value}
    for name, value in changed.items():
        setattr(person, name, value)
    if changed:
        audit.record("profile_changed", actor, detail={"person": person.email, **changed})
    return changed


def defaults() -> dict:
    """The digest settings a new member of the secretariat starts with."""
    row = db.session.get(SiteSetting, STAFF_DEFAULTS)
    return {**STANDARD_DEFAULTS, **(row.value if row and row.value else {})}


def set_defaults(actor: User, *, digest: str, follows_all: bool) -> None:
    row = db.session.get(SiteSetting, STAFF_DEFAULTS) or SiteSetting(key=STAFF_DEFAULTS)
    row.value = {"digest": digest if digest in DIGESTS else "none", "follows_all": bool(follows_all)}
    db.session.add(row)
    audit.record("staff_defaults_changed", actor, detail=row.value)


def apply_defaults(person: User) -> User:
    """A new member of the secretariat gets the head's defaults; a focal point chooses for itself."""
    if person.is_secretariat:
        chosen = defaults()
        person.digest, person.follows_all = chosen["digest"], chosen["follows_all"]
    return person


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="missiva-digest-unsubscribe")


def unsubscribe_url(person: User) -> str:
    token = _signer().dumps({"u": person.id, "e": person.email})
    return links.absolute(f"/unsubscribe/{token}")


def person_for(token: str) -> User | None:
    """The person an unsubscribe link was made for (None if it was not made by Missiva)."""
    try:
        data = _signer().loads(token)
    except BadSignature:
        return None
    person = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    return person if person is not None and person.email == data.get("e") else None


def unsubscribe(person: User) -> bool:
    """Turn the person's digest off (from the link in a digest); audited. False if it was off."""
    if person.digest == "none":
        return False
    audit.record("digest_unsubscribed", person, detail={"was": person.digest})
    person.digest = "none"
    return True
