"""Member states, named from the Unicode CLDR (through Babel) in the four OAS languages."""
from __future__ import annotations

from babel import Locale

from .db import db
from .models import LANGUAGES, MemberState, Mission

# The 35 OAS member states and the language their Permanent Mission usually writes in.
OAS = {
    "AG": "en", "AR": "es", "BS": "en", "BB": "en", "BZ": "en", "BO": "es", "BR": "pt",
    "CA": "en", "CL": "es", "CO": "es", "CR": "es", "CU": "es", "DM": "en", "DO": "es",
    "EC": "es", "SV": "es", "GD": "en", "GT": "es", "GY": "en", "HT": "fr", "HN": "es",
    "JM": "en", "MX": "es", "NI": "es", "PA": "es", "PY": "es", "PE": "es", "KN": "en",
    "LC": "en", "VC": "en", "SR": "en", "TT": "en", "US": "en", "UY": "es", "VE": "es",
}


def names(code: str) -> dict[str, str]:
    return {lang: Locale(lang).territories.get(code, code) for lang in LANGUAGES}


def ensure(code: str, language: str = "en", zone: str = "America/New_York") -> Mission:
    """The member state and its mission, created if missing (idempotent)."""
    code = code.upper()
    state = db.session.get(MemberState, code)
    if state is None:
        state = MemberState(code=code, names=names(code))
        db.session.add(state)
    mission = db.session.scalar(db.select(Mission).filter_by(member_state_code=code))
    if mission is None:
        mission = Mission(member_state=state, name=f"Permanent Mission of {state.name('en')}",
                          language=language, timezone=zone)
        db.session.add(mission)
    return mission
