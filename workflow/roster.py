"""The expert roster: every expert a mission has nominated, kept for its next nominations.

An expert is matched within their mission by email, else by name and institution (accents, case
and spacing ignored). Each submitted answer brings the roster up to date: the latest details, and
the expert's place in that call. Erasure, on the person's request, empties the personal data
everywhere Missiva keeps it (the roster, the answers and their versions, compiled report data) and
leaves the counts.
"""
from __future__ import annotations

import copy
import io

from sqlalchemy import insert, or_

from . import audit, clock
from .db import db
from .models import Report, RosterExpert, RosterNomination, Submission, SubmissionVersion
from .sections import kind_of
from .text import name_key, spreadsheet_text

PERSONAL = ("name", "title", "institution", "email", "phone")
ERASED = "—"


def key_of(name: str, institution: str) -> str:
    return f"{name_key(' '.join((name or '').split()))}|{name_key(' '.join((institution or '').split()))}"[:420]


def _experts(sections: list, content: dict):
    for section in sections:
        answer = content.get(section["key"])
        if isinstance(answer, dict):
            yield from kind_of(section).people(answer)


def _email(expert: dict) -> str:
    return (expert.get("email") or "").strip().lower()


def record(submission: Submission, version: SubmissionVersion) -> None:
    """Bring the mission's roster up to date with what this version nominates: one query finds the
    experts already known (by email, else by name and institution), one their places in the call."""
    at = clock.now()
    experts = list(_experts(submission.call.sections, version.content))
    keys = [key_of(e.get("name", ""), e.get("institution", "")) for e in experts]
    emails = [email for email in map(_email, experts) if email]
    known = db.session.scalars(db.select(RosterExpert).where(
        RosterExpert.mission_id == submission.mission_id, RosterExpert.erased_at.is_(None),
        or_(RosterExpert.email.in_(emails), RosterExpert.name_key.in_(keys))).order_by(RosterExpert.id)).all() \
        if experts else []
    known_ids = {e.id for e in known}
    by_email = {e.email: e for e in reversed(known) if e.email}
    by_key = {e.name_key: e for e in reversed(known)}
    named: list[tuple[RosterExpert, dict]] = []
    for expert, key in zip(experts, keys, strict=True):
        email = _email(expert)
        entry = (by_email.get(email) if email else None) or by_key.get(key)
        if entry is None:
            entry = RosterExpert(mission_id=submission.mission_id, created_at=at)
            db.session.add(entry)
        for name in PERSONAL:
            setattr(entry, name, (expert.get(name) or "").strip()[:254] or None)
        entry.email = entry.email.lower() if entry.email else None
        entry.name_key = key_of(entry.name or "", entry.institution or "")
        entry.updated_at = at
        if entry.email:
            by_email[entry.email] = entry
        by_key[entry.name_key] = entry
        named.append((entry, expert))
    db.session.flush()
    ids = [entry.id for entry, _ in named]
    # Only experts known before this version can have a place in the call already.
    earlier = [entry.id for entry, _ in named if entry.id in known_ids]
    places = {place.expert_id: place for place in db.session.scalars(db.select(RosterNomination).where(
        RosterNomination.call_id == submission.call_id, RosterNomination.expert_id.in_(earlier)))} if earlier else {}
    new_places: dict[int, dict] = {}
    for entry, expert in named:
        values = {"role": expert.get("role"), "funding": expert.get("funding"), "at": at}
        place = places.get(entry.id)
        if place is not None:
            place.role, place.funding, place.at = values["role"], values["funding"], at
        else:  # the same expert twice in one answer has one place: the last row's
            new_places[entry.id] = {"expert_id": entry.id, "call_id": submission.call_id,
                                    "submission_id": submission.id, **values}
    if new_places:
        db.session.execute(insert(RosterNomination), list(new_places.values()))
    # An expert this version no longer names has no place in the call any more (a first version
    # has no earlier places).
    if version.number > 1:
        for place in db.session.scalars(db.select(RosterNomination).where(
                RosterNomination.submission_id == submission.id, RosterNomination.expert_id.not_in(ids or [0]))):
            db.session.delete(place)


def of_mission(mission_id: int) -> list[RosterExpert]:
    """The experts a mission may pick from (erased ones are gone), by name."""
    found = db.session.scalars(db.select(RosterExpert).where(
        RosterExpert.mission_id == mission_id, RosterExpert.erased_at.is_(None))).all()
    return sorted(found, key=lambda e: (name_key(e.name or ""), e.id))


def entry(mission_id: int | None, expert_id) -> RosterExpert | None:
    """One of the mission's experts (None for anyone else's, or an erased one)."""
    found = db.session.get(RosterExpert, expert_id) if isinstance(expert_id, int) else None
    if found is None or found.erased_at is not None or (mission_id is not None and found.mission_id != mission_id):
        return None
    return found


def details(expert: RosterExpert) -> dict:
    return {name: getattr(expert, name) or "" for name in PERSONAL}


def everyone() -> list[RosterExpert]:
    """The whole roster for the secretariat, by state then name."""
    found = db.session.scalars(db.select(RosterExpert)).all()
    return sorted(found, key=lambda e: (e.mission.code, e.erased_at is not None, name_key(e.name or ""), e.id))


def _matches(entry: RosterExpert, expert: dict) -> bool:
    email = (expert.get("email") or "").strip().lower()
    return (bool(entry.email) and email == entry.email) or \
        key_of(expert.get("name", ""), expert.get("institution", "")) == entry.name_key


def _scrub(sections: list, content: dict, entry: RosterExpert) -> tuple[dict, int]:
    content, found = copy.deepcopy(content), 0
    for expert in _experts(sections, content):
        if _matches(entry, expert):
            expert.update({name: ERASED if name == "name" else "" for name in PERSONAL})
            found += 1
    return content, found


def erase(entry: RosterExpert, actor) -> int:
    """Empty an expert's personal data wherever it is kept; their places stay, counted and
    anonymous. Returns how many answers and versions named them."""
    touched = 0
    submissions = db.session.scalars(db.select(Submission).where(Submission.mission_id == entry.mission_id)).all()
    for submission in submissions:
        sections = submission.call.sections + (submission.call.former_sections or [])
        for holder in (submission, *submission.versions):
            content, found = _scrub(sections, holder.content, entry)
            if found:
                holder.content = content
                touched += 1
        for report in db.session.scalars(db.select(Report).where(Report.call_id == submission.call_id,
                                                                Report.data.is_not(None))):
            report.data = _scrub_report(report.data, entry)
    audit.record("expert_erased", actor, mission=entry.mission,
                 detail={"expert": entry.id, "nominations": len(entry.nominations), "answers": touched})
    for name in PERSONAL:
        setattr(entry, name, None)
    entry.name_key, entry.erased_at = None, clock.now()
    return touched


def _scrub_report(data, entry: RosterExpert):
    """Compiled report data: every expert record in it that is this person, emptied."""
    def walk(node):
        if isinstance(node, dict):
            if "name" in node and "institution" in node and _matches(entry, node):
                return {**node, **{name: ERASED if name == "name" else "" for name in PERSONAL}}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data)


def xlsx(rows: list[list], header: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Roster"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_text(v) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
