"""Demo data: the 35 OAS member states and their missions, focal points, a secretariat, and the
calls shipped in `calls/` moved forward so their deadlines are ahead of today.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml

from . import clock
from .calls import import_call, shift_definition
from .db import db
from .member_states import OAS, ensure
from .models import Call, User

DEMO_PASSWORD = "missiva-demo"
CALLS_DIR = Path(__file__).resolve().parent.parent / "calls"
# days from today to each demo call's deadline
DEMO_CALLS = {"ciber-v-2007.yaml": 21, "regional-workshop-2008.yaml": 35}


# Demo people: given names and surnames by the language of their mission, picked in turn.
GIVEN = {"en": ("Alicia", "David", "Sharon", "Marcus", "Keisha", "Andrew", "Natalie"),
         "es": ("María José", "Jorge", "Lucía", "Andrés", "Carolina", "Diego", "Valentina"),
         "fr": ("Marie-Claude", "Jean-Baptiste", "Nadège", "Frantz"),
         "pt": ("Ana Luísa", "João Pedro")}
FAMILY = {"en": ("Thompson", "Baptiste", "Williams", "Charles", "Persaud", "Gordon", "Joseph", "Mitchell"),
          "es": ("Núñez", "Ramírez", "Castillo", "Herrera", "Saavedra", "Ortiz", "Quiroga", "Benítez"),
          "fr": ("Étienne", "Pierre-Louis", "Desrosiers", "Joseph", "Célestin"),
          "pt": ("Gonçalves", "Azevedo", "Magalhães")}


def person_name(language: str, number: int) -> str:
    given, family = GIVEN[language], FAMILY[language]
    return f"{given[number % len(given)]} {family[(number * 3 + 1) % len(family)]}"


def ensure_user(email: str, name: str, role: str, mission=None, password: str | None = None,
                locale: str | None = None, digest: str = "none") -> User:
    user = db.session.scalar(db.select(User).filter_by(email=email.lower()))
    if user is None:
        user = User(email=email.lower(), name=name, role=role, mission=mission, locale=locale, digest=digest)
        if password:
            user.set_password(password)
        db.session.add(user)
    return user


def load(days_ahead: dict[str, int] | None = None) -> list[Call]:
    """Load the demo (idempotent: existing states, users and calls are kept)."""
    for number, (code, language) in enumerate(OAS.items()):
        mission = ensure(code, language)
        db.session.flush()
        mission.representative_name = mission.representative_name or person_name(language, 3 * number)
        mission.representative_email = mission.representative_email or f"representative.{code.lower()}@missiva.example"
        ensure_user(f"focal.{code.lower()}@missiva.example", person_name(language, 3 * number + 1),
                    "focal_point", mission, DEMO_PASSWORD, language)
        ensure_user(f"alternate.{code.lower()}@missiva.example", person_name(language, 3 * number + 2),
                    "focal_point", mission, DEMO_PASSWORD, language)
    ensure_user("officer@missiva.example", "Secretariat officer", "officer", password=DEMO_PASSWORD)
    ensure_user("head@missiva.example", "Head of the Technical Secretariat", "admin", password=DEMO_PASSWORD,
                digest="daily")
    db.session.flush()
    calls = []
    for filename, days in (days_ahead or DEMO_CALLS).items():
        data = yaml.safe_load((CALLS_DIR / filename).read_text(encoding="utf-8"))
        existing = db.session.scalar(db.select(Call).filter_by(slug=data["slug"]))
        if existing:
            calls.append(existing)
            continue
        original = datetime.fromisoformat(str(data["deadline"])).date()  # in the call's zone
        target = clock.to_zone(clock.now(), data["timezone"]).date() + timedelta(days=days)
        moved = shift_definition(data, target - original)
        calls.append(import_call(yaml.safe_dump(moved, allow_unicode=True)))
    return calls
