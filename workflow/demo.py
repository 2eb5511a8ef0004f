"""Demo data: the 35 OAS member states, their missions and people and a secretariat (the
directory file `directory/demo.csv`), and the calls shipped in `calls/` moved forward so their
deadlines are ahead of today.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml

from . import clock
from .calls import import_call, shift_definition
from .db import db
from .directory_files import DEMO_FILE, import_file, read
from .models import Call, User

DEMO_PASSWORD = "missiva-demo"
CALLS_DIR = Path(__file__).resolve().parent.parent / "calls"
# days from today to each demo call's deadline
DEMO_CALLS = {"ciber-v-2007.yaml": 21, "regional-workshop-2008.yaml": 35}


def load(days_ahead: dict[str, int] | None = None) -> list[Call]:
    """Load the demo (idempotent: existing states, people and calls are kept). The directory comes
    in through the same import as any secretariat's file; the demo adds its password."""
    data = DEMO_FILE.read_bytes()
    outcome = import_file(data, DEMO_FILE.name, None)
    if outcome.problems:
        raise RuntimeError("; ".join(str(p) for p in outcome.problems))
    emails = [row["email"].lower() for _line, row in read(data, DEMO_FILE.name) if row["record"] == "person"]
    for person in db.session.scalars(db.select(User).where(User.email.in_(emails))):
        if not person.password_hash:
            person.set_password(DEMO_PASSWORD)
            person.digest = "daily" if person.role == "admin" else person.digest
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
