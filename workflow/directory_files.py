"""The directory as a file (CSV or XLSX): one row per member state and one per person, read and
written by the command line, the admin pages and the demo alike.

Importing is all or nothing: a file with any problem changes nothing and each problem names its
line and column. An empty cell leaves the stored value as it is, so importing the same file twice
changes nothing the second time. People are matched by email.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from . import directory
from .db import db
from .i18n import lazy_gettext as _
from .kinds import MISSION_ROLES
from .models import LANGUAGES, MemberState, Mission, User
from .text import FORMULA_START, clean_line, spreadsheet_text

COLUMNS = ("record", "state", "name_en", "name_es", "name_fr", "name_pt", "member", "mission", "language",
           "timezone", "representative", "representative_email", "postal_address", "mailbox",
           "email", "person", "role", "active")
STATE_COLUMNS = frozenset({"record", "state", "name_en", "name_es", "name_fr", "name_pt", "member", "mission",
                           "language", "timezone", "representative", "representative_email", "postal_address",
                           "mailbox"})
PERSON_COLUMNS = frozenset({"record", "state", "email", "person", "role", "language", "active"})
# File column -> Mission attribute
MISSION_COLUMNS = {"mission": "name", "language": "language", "timezone": "timezone",
                   "representative": "representative_name", "representative_email": "representative_email",
                   "postal_address": "postal_address", "mailbox": "mailbox"}
YES, NO = ("yes", "y", "true", "1", "sí", "si", "oui", "sim"), ("no", "n", "false", "0", "non", "não", "nao")
MAX_ROWS = 20_000
FOLDER = Path(__file__).resolve().parent.parent / "directory"
# Membership lists shipped with Missiva: file name -> what the admin pages call it
MEMBERSHIPS = {"oas.csv": _("Organization of American States (35 member states)"),
               "coe.csv": _("Council of Europe (46 member states)"),
               "un.csv": _("United Nations (193 member states)")}
DEMO_FILE = FOLDER / "demo.csv"


def membership(name: str) -> bytes:
    """One of the membership lists shipped with Missiva, by its file name (no other file)."""
    if name not in MEMBERSHIPS:
        raise KeyError(name)
    return (FOLDER / name).read_bytes()


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return str(_("line %(line)s, column %(column)s: %(message)s", line=self.line, column=self.column,
                     message=self.message))


@dataclass
class Change:
    action: str  # add, change, deactivate, reactivate
    record: str  # state, person
    key: str  # ISO code or email
    label: str
    fields: dict = field(default_factory=dict)  # {column: [before, after]}


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    applied: bool = False


class FileError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- reading ------------------------------------------------------------------------------------

def _cell(value) -> str:
    """A cell as text: one line, trimmed, without the apostrophe an export put before a formula."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_line(str(value)).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    for row in reader:
        yield reader.line_num, row


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileError([Problem(1, "-", str(_("This is not an Excel workbook (.xlsx).")))]) from exc
    for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        yield number, list(row)


def read(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """The rows of a directory file as (line, {column: text}); FileError when its shape is wrong."""
    rows = _xlsx_rows(data) if filename.lower().endswith(".xlsx") else _csv_rows(data)
    header: list[str] | None = None
    found: list[tuple[int, dict]] = []
    for line, cells in rows:
        values = [_cell(c) for c in cells]
        if not any(values):
            continue
        if header is None:
            header = [v.lower() for v in values]
            unknown = [Problem(line, name or "-", str(_("Unknown column. The columns are: %(columns)s.",
                                                         columns=", ".join(COLUMNS))))
                       for name in header if name not in COLUMNS]
            if "record" not in header:
                unknown.append(Problem(line, "record", str(_("The first line must name the columns, "
                                                             "among them record."))))
            if unknown:
                raise FileError(unknown)
            continue
        if len(found) >= MAX_ROWS:
            raise FileError([Problem(line, "-", str(_("A directory file holds at most %(n)s rows.", n=MAX_ROWS)))])
        found.append((line, {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}))
    if header is None:
        raise FileError([Problem(1, "-", str(_("The file is empty.")))])
    return found


def _flag(value: str) -> bool | None:
    lowered = value.lower()
    return True if lowered in YES else False if lowered in NO else None


def check(rows: list[tuple[int, dict]]) -> list[Problem]:
    """Every problem of the file, each with its line and column."""
    found: list[Problem] = []
    states_in_file: set[str] = set()
    listed = {r.get("state", "").upper() for _line, r in rows if r.get("record", "").lower() == "state"}
    emails: set[str] = set()
    leads: dict[str, int] = {}
    known = {code for code in db.session.scalars(db.select(MemberState.code))}

    def problem(line, column, message):
        found.append(Problem(line, column, str(message)))

    for line, row in rows:
        kind = row.get("record", "").lower()
        if kind not in ("state", "person"):
            problem(line, "record", _("Write state or person."))
            continue
        allowed = STATE_COLUMNS if kind == "state" else PERSON_COLUMNS
        for name, value in row.items():
            if value and name not in allowed:
                problem(line, name, _("Leave this empty on a %(record)s line.", record=kind))
            if len(value) > directory.LENGTHS.get(name, 200):
                problem(line, name, _("Too long."))
        code = row.get("state", "").upper()
        if kind == "state":
            if not code:
                problem(line, "state", _("Give the state's two-letter ISO code."))
            elif not directory.known_state(code):
                problem(line, "state", _("%(code)s is not an ISO 3166 country code.", code=code))
            elif code in states_in_file:
                problem(line, "state", _("%(code)s appears twice in the file.", code=code))
            states_in_file.add(code)
            for column in ("representative_email", "mailbox"):
                message = directory.email_problem(row.get(column, ""))
                if message:
                    problem(line, column, message)
            if row.get("member") and _flag(row["member"]) is None:
                problem(line, "member", _("Write yes or no."))
        else:
            email = row.get("email", "").lower()
            message = directory.email_problem(email) if email else _("Give the person's email address.")
            if message:
                problem(line, "email", message)
            elif email in emails:
                problem(line, "email", _("%(email)s appears twice in the file.", email=email))
            emails.add(email)
            role = row.get("role", "").lower()
            existing = db.session.scalar(db.select(User).filter_by(email=email)) if email else None
            if role and role not in directory.PERSON_ROLES:
                problem(line, "role", _("One of %(roles)s.", roles=", ".join(directory.PERSON_ROLES)))
            elif not role and existing is None:
                problem(line, "role", _("Give the person's role: %(roles)s.", roles=", ".join(directory.PERSON_ROLES)))
            if not row.get("person") and existing is None:
                problem(line, "person", _("Give the person's name."))
            in_mission = role in MISSION_ROLES or (not role and existing is not None and existing.mission_id)
            if in_mission and not code:
                problem(line, "state", _("A mission's people need the ISO code of their state."))
            elif code and role in ("officer", "admin"):
                problem(line, "state", _("Leave this empty for the secretariat's people."))
            elif code and code not in known and code not in listed:
                problem(line, "state", _("%(code)s is not in the directory or in the file.", code=code))
            if row.get("active") and _flag(row["active"]) is None:
                problem(line, "active", _("Write yes or no."))
            if role == "lead" and code:
                if code in leads:
                    problem(line, "role", _("The file names another lead focal point for %(code)s on line "
                                            "%(line)s: a mission has one.", code=code, line=leads[code]))
                leads.setdefault(code, line)
        message = directory.language_problem(row.get("language", "").lower())
        if message:
            problem(line, "language", message)
        message = directory.zone_problem(row.get("timezone", ""))
        if message:
            problem(line, "timezone", message)
    return found


# --- applying -----------------------------------------------------------------------------------

def _state_row(row: dict, actor, changes: list[Change]) -> None:
    code = row["state"].upper()
    state = db.session.get(MemberState, code)
    new = state is None or db.session.scalar(db.select(Mission).filter_by(member_state_code=code)) is None
    mission = directory.add_state(code, actor, language=row.get("language") or "en",
                                  zone=row.get("timezone") or "America/New_York") if new else \
        db.session.scalar(db.select(Mission).filter_by(member_state_code=code))
    state = mission.member_state
    names = {**state.names, **{lang: row[f"name_{lang}"] for lang in LANGUAGES if row.get(f"name_{lang}")}}
    values: dict = {"names": names}
    if row.get("member"):
        values["member"] = _flag(row["member"])
    changed = directory.change(state, values, actor, action="state_changed", mission=mission,
                               detail={"state": code})
    mission_values = {attribute: (row[column].lower() if column == "language" else row[column])
                      for column, attribute in MISSION_COLUMNS.items() if row.get(column)}
    changed.update(directory.change(mission, mission_values, actor, action="mission_changed", mission=mission,
                                    detail={"state": code}))
    if new or changed:
        changes.append(Change("add" if new else "change", "state", code, state.name("en"), changed))


def _person_row(row: dict, actor, changes: list[Change]) -> None:
    email = row["email"].lower()
    code = row.get("state", "").upper()
    mission = db.session.scalar(db.select(Mission).filter_by(member_state_code=code)) if code else None
    person = db.session.scalar(db.select(User).filter_by(email=email))
    role = row.get("role", "").lower()
    if person is None:
        person = directory.invite(actor, email=email, name=row["person"], role=role, mission=mission,
                                  locale=row.get("language", "").lower() or None, welcome=False)
        if _flag(row.get("active") or "yes") is False:
            directory.set_active(person, False, actor)
        changes.append(Change("add", "person", email, person.name, {"role": [None, role]}))
        return
    values: dict = {}
    if row.get("person"):
        values["name"] = row["person"]
    if row.get("language"):
        values["locale"] = row["language"].lower()
    wanted = directory.person_values(role, mission) if role else None
    if wanted and (role != directory.role_of(person) or wanted["mission_id"] != person.mission_id):
        values.update(wanted)
    changed = directory.change(person, values, actor, action="person_changed", mission=mission or person.mission,
                               detail={"user": email})
    if changed.get("mission_role"):
        db.session.flush()
        directory.one_lead(person, actor)
    active = _flag(row["active"]) if row.get("active") else None
    if active is not None and active != person.active:
        directory.set_active(person, active, actor)
        changes.append(Change("reactivate" if active else "deactivate", "person", email, person.name, changed))
    elif changed:
        changes.append(Change("change", "person", email, person.name, changed))


def apply(rows: list[tuple[int, dict]], actor, *, deactivate_missing: bool = False) -> list[Change]:
    """Make the directory say what the rows say (states first, then people); the caller commits."""
    changes: list[Change] = []
    for _line, row in rows:
        if row["record"].lower() == "state":
            _state_row(row, actor, changes)
    db.session.flush()
    listed = set()
    for _line, row in rows:
        if row["record"].lower() == "person":
            _person_row(row, actor, changes)
            listed.add(row["email"].lower())
    if deactivate_missing:
        for person in db.session.scalars(db.select(User).where(User.active.is_(True), User.email.not_in(listed))):
            if actor is None or person.id != actor.id:
                directory.set_active(person, False, actor)
                changes.append(Change("deactivate", "person", person.email, person.name))
    return changes


def import_file(data: bytes, filename: str, actor, *, dry_run: bool = False,
                deactivate_missing: bool = False) -> Outcome:
    """Check the whole file; when it has no problem, apply it (or, for a dry run, only say what
    would change). The caller commits."""
    try:
        rows = read(data, filename)
    except FileError as exc:
        return Outcome(problems=exc.problems)
    problems = check(rows)
    if problems:
        return Outcome(problems=problems)
    savepoint = db.session.begin_nested()
    changes = apply(rows, actor, deactivate_missing=deactivate_missing)
    db.session.flush()
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return Outcome(changes=changes, applied=not dry_run)


# --- a file checked in the admin pages, kept until it is imported -----------------------------

STAGED = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


def _staging() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(data: bytes, filename: str) -> str:
    """Keep a previewed file for the import that follows; files older than a day are dropped."""
    folder = _staging()
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    name = f"{secrets.token_hex(16)}.{'xlsx' if filename.lower().endswith('.xlsx') else 'csv'}"
    (folder / name).write_bytes(data)
    return name


def staged(name: str) -> bytes | None:
    path = _staging() / name if STAGED.match(name or "") else None
    return path.read_bytes() if path is not None and path.is_file() else None


def unstage(name: str) -> None:
    if STAGED.match(name or ""):
        (_staging() / name).unlink(missing_ok=True)


# --- writing ------------------------------------------------------------------------------------

def _yes(value: bool) -> str:
    return "yes" if value else "no"


def export_rows() -> list[list[str]]:
    """The whole directory as rows under COLUMNS: every state, then every person."""
    rows = []
    missions = {m.member_state_code: m for m in db.session.scalars(db.select(Mission))}
    for state in db.session.scalars(db.select(MemberState).order_by(MemberState.code)):
        mission = missions.get(state.code)
        row = {"record": "state", "state": state.code, "member": _yes(state.member),
               **{f"name_{lang}": (state.names or {}).get(lang, "") for lang in LANGUAGES}}
        if mission is not None:
            row.update({column: getattr(mission, attribute) or "" for column, attribute in MISSION_COLUMNS.items()})
        rows.append([row.get(c, "") for c in COLUMNS])
    people = db.session.scalars(db.select(User)).all()
    for person in sorted(people, key=lambda p: (p.mission.code if p.mission else "", p.email)):
        row = {"record": "person", "state": person.mission.code if person.mission else "", "email": person.email,
               "person": person.name, "role": directory.role_of(person), "language": person.locale or "",
               "active": _yes(person.active)}
        rows.append([row.get(c, "") for c in COLUMNS])
    return rows


def export(fmt: str) -> bytes:
    """The directory as CSV (UTF-8, opened by Excel as such) or XLSX, in the columns `read` takes."""
    rows = [[spreadsheet_text(value) for value in row] for row in export_rows()]
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Directory"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMNOPQR", (8, 6, 28, 28, 28, 28, 8, 40, 9, 20, 28, 32, 40, 30, 34, 28,
                                                      12, 7), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
