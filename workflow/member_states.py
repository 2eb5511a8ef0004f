"""Member states, named from the Unicode CLDR (through Babel) in the four OAS languages."""
from __future__ import annotations

from babel import Locale
from flask_babel import force_locale, gettext

from .db import db
from .i18n import N_
from .i18n import lazy_gettext as _
from .models import LANGUAGES, MemberState, Mission
from .state_names import FORMAL

# The 35 OAS member states and the language their Permanent Mission usually writes in.
OAS = {
    "AG": "en", "AR": "es", "BS": "en", "BB": "en", "BZ": "en", "BO": "es", "BR": "pt",
    "CA": "en", "CL": "es", "CO": "es", "CR": "es", "CU": "es", "DM": "en", "DO": "es",
    "EC": "es", "SV": "es", "GD": "en", "GT": "es", "GY": "en", "HT": "fr", "HN": "es",
    "JM": "en", "MX": "es", "NI": "es", "PA": "es", "PY": "es", "PE": "es", "KN": "en",
    "LC": "en", "VC": "en", "SR": "en", "TT": "en", "US": "en", "UY": "es", "VE": "es",
}

# The regions a call is often addressed to (the OAS's usual sub-regional groups).
REGIONS = {
    "caribbean": ("AG", "BS", "BB", "BZ", "CU", "DM", "DO", "GD", "GY", "HT", "JM", "KN", "LC", "VC", "SR", "TT"),
    "central_america": ("CR", "SV", "GT", "HN", "NI", "PA"),
    "north_america": ("CA", "MX", "US"),
    "south_america": ("AR", "BO", "BR", "CL", "CO", "EC", "PY", "PE", "UY", "VE"),
}
REGION_LABELS = {"caribbean": _("Caribbean"), "central_america": _("Central America"),
                 "north_america": _("North America"), "south_america": _("South America")}


MISSION_NAME = N_("Permanent Mission %(of_state)s")


def names(code: str) -> dict[str, str]:
    """The state's name in each language: the formal one used in correspondence, else CLDR's."""
    formal = FORMAL.get(code, {})
    return {lang: formal[lang][0] if lang in formal else Locale(lang).territories.get(code, code)
            for lang in LANGUAGES}


def of_names(code: str) -> dict[str, str]:
    """How each language says "of" the state, where the plain rule would be wrong or bare."""
    return {lang: phrase for lang, (_name, phrase) in FORMAL.get(code, {}).items()}


def mission_name(mission: Mission, language: str) -> str:
    """"Missão Permanente do Brasil": the mission named in the reader's language (in English, the
    directory's own name for it)."""
    if language == "en" and mission.name:
        return mission.name
    with force_locale(language):
        return gettext(MISSION_NAME, of_state=mission.member_state.of(language))


def ensure(code: str, language: str = "en", zone: str = "America/New_York") -> Mission:
    """The member state and its mission, created if missing (idempotent)."""
    code = code.upper()
    state = db.session.get(MemberState, code)
    if state is None:
        state = MemberState(code=code, names=names(code), of_names=of_names(code))
        db.session.add(state)
    mission = db.session.scalar(db.select(Mission).filter_by(member_state_code=code))
    if mission is None:
        mission = Mission(member_state=state, name=MISSION_NAME % {"of_state": state.of("en")},
                          language=language, timezone=zone)
        db.session.add(mission)
    return mission
