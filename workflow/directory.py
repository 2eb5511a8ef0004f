"""The directory a secretariat keeps: the member states, their missions and the people of each
mission and of the secretariat. Every change, from a page, a file or the command line, goes through
`change()` here and is audited with what it was before; a mission's changes form its history.
"""
from __future__ import annotations

from babel import Locale

from . import accounts, audit, notifications, profiles
from .checks import known_zone
from .db import db
from .i18n import lazy_gettext as _
from .kinds import MISSION_ROLES
from .models import LANGUAGES, AuditEvent, MemberState, Mission, User
from .sections.base import EMAIL
from .text import clean_line, name_key

# What a person can be, as the directory file and the pages name it.
PERSON_ROLES = ("lead", "focal_point", "alternate", "officer", "admin")
PERSON_ROLE_LABELS = {"lead": _("Lead focal point"), "focal_point": _("Focal point"), "alternate": _("Alternate"),
                      "officer": _("Secretariat officer"), "admin": _("Head of the secretariat (administrator)")}
MISSION_FIELDS = ("name", "language", "timezone", "representative_name", "representative_email",
                  "postal_address", "mailbox")
FIELD_LABELS = {"name": _("Name of the mission"), "language": _("Working language"), "timezone": _("Time zone"),
                "representative_name": _("Permanent Representative"),
                "representative_email": _("Permanent Representative's email"),
                "postal_address": _("Postal address"), "mailbox": _("General mailbox"),
                "names": _("Names"), "of_names": _("Names after \"of\""), "member": _("Member"),
                "email": _("Email"), "person": _("Name"), "role": _("Role"), "active": _("Active"),
                "mission": _("Mission"), "mission_id": _("Mission"), "mission_role": _("Role in the mission"),
                "locale": _("Language")}
LENGTHS = {"name": 200, "representative_name": 200, "representative_email": 254, "postal_address": 1000,
           "mailbox": 254, "email": 254, "person": 200}


def known_state(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code of a country (Babel's CLDR knows its name)."""
    return len(code) == 2 and code.isalpha() and code.upper() in Locale("en").territories


def role_of(person: User) -> str:
    """The person's role as the directory names it (lead, focal_point, alternate, officer, admin)."""
    if person.role == "focal_point":
        return person.mission_role or "focal_point"
    return person.role


def states(language: str, *, members_only: bool = False) -> list[MemberState]:
    """The member states, sorted by their name in the reader's language, accents ignored."""
    query = db.select(MemberState)
    if members_only:
        query = query.where(MemberState.member.is_(True))
    return sorted(db.session.scalars(query), key=lambda s: (name_key(s.name(language)), s.code))


def history(mission: Mission, limit: int = 50) -> list[AuditEvent]:
    """The directory's record of a mission: its details and people, newest first."""
    return list(db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.mission_id == mission.id, AuditEvent.submission_id.is_(None))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def _shown(value):
    return sorted(value.items()) if isinstance(value, dict) else value


def change(target, values: dict, actor, *, action: str, mission: Mission | None = None,
           detail: dict | None = None) -> dict:
    """Set the fields of `values` that differ on `target` (a state, mission or person), audit what
    each was and becomes. Returns {field: [before, after]} (empty when nothing changed)."""
    changed = {}
    for name, value in values.items():
        before = getattr(target, name)
        if before != value:
            changed[name] = [_shown(before), _shown(value)]
            setattr(target, name, value)
    if changed:
        audit.record(action, actor, mission=mission, detail={**(detail or {}), "changes": changed})
    return changed


# --- member states and missions -----------------------------------------------------------------

def add_state(code: str, actor, *, language: str = "en", zone: str = "America/New_York") -> Mission:
    """Make a state a member with its mission (a state that had left is a member again)."""
    from .member_states import ensure

    code = code.upper()
    existed = db.session.scalar(db.select(Mission.id).filter_by(member_state_code=code)) is not None
    mission = ensure(code, language, zone)
    db.session.flush()
    if not existed:
        audit.record("state_added", actor, mission=mission, detail={"state": code})
    elif not mission.member_state.member:
        set_member(mission.member_state, True, actor)
    return mission


def set_member(state: MemberState, member: bool, actor) -> None:
    """Leave the membership (new calls are not addressed to it; its answers stay) or rejoin it."""
    mission = db.session.scalar(db.select(Mission).filter_by(member_state_code=state.code))
    change(state, {"member": member}, actor, action="state_changed", mission=mission, detail={"state": state.code})


# --- people ----------------------------------------------------------------------------------

class DirectoryError(Exception):
    """A change the directory refuses, said for the person who asked."""


def person_values(role: str, mission: Mission | None) -> dict:
    """The stored role and mission role of a directory role."""
    if role in MISSION_ROLES:
        return {"role": "focal_point", "mission_role": role, "mission_id": mission.id if mission else None}
    return {"role": role, "mission_role": None, "mission_id": None}


def invite(actor, *, email: str, name: str, role: str, mission: Mission | None, locale: str | None = None,
           welcome: bool = True) -> User:
    """Add a person (or bring back a deactivated one) and send them a link to sign in."""
    email = clean_line(email).strip().lower()
    if role not in PERSON_ROLES or (role in MISSION_ROLES) != (mission is not None):
        raise DirectoryError(_("A mission's people need their mission; the secretariat's have none."))
    person = db.session.scalar(db.select(User).filter_by(email=email))
    if person is not None and person.active:
        raise DirectoryError(_("%(email)s is already in the directory.", email=email))
    values = {"name": clean_line(name).strip(), **person_values(role, mission)}
    if person is None:
        person = profiles.apply_defaults(User(email=email, locale=locale, **values))
        db.session.add(person)
        db.session.flush()
        audit.record("person_added", actor, mission=mission,
                     detail={"user": email, "role": role, "name": values["name"]})
    else:
        change(person, {**values, "active": True}, actor, action="person_changed", mission=mission,
               detail={"user": email})
    db.session.flush()
    one_lead(person, actor)
    if welcome:
        notifications.welcome(person, actor)
    return person


def set_active(person: User, active: bool, actor) -> None:
    """Deactivate (no sign-in, no mail, everything they did kept) or re-activate someone."""
    if active == person.active:
        return
    if active:
        person.active = True
        audit.record("user_reactivated", actor, mission=person.mission, detail={"user": person.email})
    else:
        if actor is not None and actor.id == person.id:
            raise DirectoryError(_("You cannot deactivate yourself."))
        accounts.deactivate(person, actor)


def set_role(person: User, role: str, actor, mission: Mission | None = None) -> None:
    mission = mission if role in MISSION_ROLES and mission is not None else person.mission
    if role not in PERSON_ROLES or (role in MISSION_ROLES and mission is None):
        raise DirectoryError(_("A mission's people need their mission; the secretariat's have none."))
    if actor is not None and actor.id == person.id and role != person.role:
        raise DirectoryError(_("You cannot change your own role."))
    change(person, person_values(role, mission), actor, action="person_changed", mission=mission,
           detail={"user": person.email})
    db.session.flush()
    one_lead(person, actor)


def one_lead(person: User, actor) -> None:
    """A mission has one lead focal point: naming `person` makes any other a focal point."""
    if not person.is_lead:
        return
    for other in person.mission.focal_points if person.mission else []:
        if other.id != person.id and other.mission_role == "lead":
            change(other, {"mission_role": "focal_point"}, actor, action="person_changed", mission=other.mission,
                   detail={"user": other.email})


# --- a mission's own people, managed by its lead focal point -----------------------------------

def colleagues(mission: Mission) -> list[User]:
    return sorted(mission.focal_points, key=lambda p: (not p.active, MISSION_ROLES.index(role_of(p)),
                                                       name_key(p.name)))


def add_colleague(lead: User, *, email: str, name: str, role: str) -> User:
    if not lead.is_lead or role not in ("focal_point", "alternate"):
        raise DirectoryError(_("Only the mission's lead focal point can add its people."))
    existing = db.session.scalar(db.select(User).filter_by(email=clean_line(email).strip().lower()))
    if existing is not None and existing.mission_id != lead.mission_id:
        raise DirectoryError(_("%(email)s is already in the directory.", email=existing.email))
    return invite(lead, email=email, name=name, role=role, mission=lead.mission)


def remove_colleague(lead: User, person: User) -> None:
    """The lead focal point takes a colleague off the mission: deactivated, their work kept."""
    if not lead.is_lead or person.mission_id != lead.mission_id or person.role != "focal_point":
        raise DirectoryError(_("Only the mission's lead focal point can remove its people."))
    if person.id == lead.id:
        raise DirectoryError(_("You cannot remove yourself. Ask the secretariat to name another lead."))
    set_active(person, False, lead)


def email_problem(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > 254 or not EMAIL.match(value):
        return str(_("This does not look like an email address."))
    return None


def zone_problem(value: str) -> str | None:
    return None if not value or known_zone(value) else str(_("Not a time zone: write it as America/New_York."))


def language_problem(value: str) -> str | None:
    return None if not value or value in LANGUAGES else str(
        _("One of %(languages)s.", languages=", ".join(LANGUAGES)))

