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

from sqlalchemy import delete, insert, or_, update
from sqlalchemy.orm.util import identity_key

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


def _update(model, rows: list[dict]) -> None:
    """One UPDATE for rows given with their ids; what this session had loaded of them is read
    again when next used."""
    db.session.execute(update(model), rows)
    for row in rows:
        loaded = db.session.identity_map.get(identity_key(model, row["id"]))
        if loaded is not None:
            db.session.expire(loaded)


def _written(values: dict, at) -> dict:
    """An expert's details as the roster keeps them."""
    row = {name: (values.get(name) or "").strip()[:254] or None for name in PERSONAL}
    row["email"] = row["email"].lower() if row["email"] else None
    row["name_key"] = key_of(row["name"] or "", row["institution"] or "")
    row["updated_at"] = at
    return row


def record(submission: Submission, version: SubmissionVersion) -> None:
    """Bring the mission's roster up to date with what this version nominates. It runs inside the
    submission's transaction (while SQLite's one writer waits), so it writes in bulk without
    loading an object: one query finds the experts already known (by email, else by name and
    institution), one statement updates them, one adds the new ones, one query and one statement
    give each their place in the call."""
    at = clock.now()
    experts = list(_experts(submission.call.sections, version.content))
    keys = [key_of(e.get("name", ""), e.get("institution", "")) for e in experts]
    emails = [email for email in map(_email, experts) if email]
    known = db.session.execute(db.select(RosterExpert.id, RosterExpert.email, RosterExpert.name_key).where(
        RosterExpert.mission_id == submission.mission_id, RosterExpert.erased_at.is_(None),
        or_(RosterExpert.email.in_(emails), RosterExpert.name_key.in_(keys))).order_by(RosterExpert.id)).all() \
        if experts else []
    # An expert is their id when known, ("new", n) until inserted; the same one twice in an
    # answer is one expert with the last row's details.
    by_email: dict[str, object] = {row.email: row.id for row in reversed(known) if row.email}
    by_key: dict[str, object] = {row.name_key: row.id for row in reversed(known)}
    details: dict[object, dict] = {}
    named: list[tuple[object, dict]] = []
    for expert, key in zip(experts, keys, strict=True):
        email = _email(expert)
        handle = (by_email.get(email) if email else None) or by_key.get(key) or ("new", len(details))
        row = details[handle] = _written(expert, at)
        if row["email"]:
            by_email[row["email"]] = handle
        by_key[row["name_key"]] = handle
        named.append((handle, expert))
    updated = [{"id": handle, **row} for handle, row in details.items() if isinstance(handle, int)]
    if updated:
        _update(RosterExpert, updated)
    added = [(handle, row) for handle, row in details.items() if not isinstance(handle, int)]
    ids: dict[object, int] = {handle: handle for handle in details if isinstance(handle, int)}
    if added:
        new_ids = db.session.scalars(
            insert(RosterExpert).returning(RosterExpert.id, sort_by_parameter_order=True),
            [{"mission_id": submission.mission_id, "created_at": at, **row} for _, row in added]).all()
        ids.update(zip((handle for handle, _ in added), new_ids, strict=True))
    # Only experts known before this version can have a place in the call already.
    earlier = [handle for handle in ids if isinstance(handle, int)]
    places = dict(db.session.execute(db.select(RosterNomination.expert_id, RosterNomination.id).where(
        RosterNomination.call_id == submission.call_id, RosterNomination.expert_id.in_(earlier))).all()) \
        if earlier else {}
    moved: dict[int, dict] = {}
    new_places: dict[int, dict] = {}
    for handle, expert in named:
        values = {"role": expert.get("role"), "funding": expert.get("funding"), "at": at}
        expert_id = ids[handle]
        if expert_id in places:
            moved[expert_id] = {"id": places[expert_id], **values}
        else:  # the same expert twice in one answer has one place: the last row's
            new_places[expert_id] = {"expert_id": expert_id, "call_id": submission.call_id,
                                     "submission_id": submission.id, **values}
    if moved:
        _update(RosterNomination, list(moved.values()))
    if new_places:
        db.session.execute(insert(RosterNomination), list(new_places.values()))
    # An expert this version no longer names has no place in the call any more (a first version
    # has no earlier places).
    if version.number > 1:
        db.session.execute(delete(RosterNomination).where(RosterNomination.submission_id == submission.id,
                                                          RosterNomination.expert_id.not_in(list(ids.values()) or [0])))


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
