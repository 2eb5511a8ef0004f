"""Call definitions as data: read from and written to YAML files in `calls/`, checked before
anything is stored, cloned for next year. A call's addressees are its submissions: opening a call
for a mission creates that mission's (not yet started) submission.
"""
from __future__ import annotations

import copy
import re
from datetime import date, datetime, timedelta

import yaml

from . import audit, clock
from .checks import EARLIEST, LANGUAGES, LATEST, MAX_REMINDER_DAYS, Problems, in_window, known_zone
from .db import db
from .kinds import CallStatus, values
from .models import Call, MemberState, Mission, Submission
from .sections import definition_errors, empty_answer, kind_of
from .text import clean_tree

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
DEFAULT_REMINDERS = {"days_before": [14, 7, 2], "days_after": [1], "escalate_from": 2}


class CallDefinitionError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _parse_moment(value, zone: str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, datetime.max.time().replace(microsecond=0))
    if not isinstance(value, datetime):
        raise ValueError("not a date and time")
    return clock.from_zone(value, zone)


TOP_FIELDS = ("slug", "reference", "report_symbol", "language", "title", "meeting", "explanatory_note", "contact",
              "timezone", "deadline", "policy", "reminders", "addressed", "sections", "status")
MEETING_FIELDS = ("name", "starts", "ends", "venue")
CONTACT_FIELDS = ("name", "email", "phone", "fax", "address")
POLICY_FIELDS = ("accept_late", "allow_amendments", "close_at_deadline")
REMINDER_FIELDS = ("days_before", "days_after", "escalate_from")
STATUSES = values(CallStatus)


def check_definition(data: dict) -> list[str]:
    """Every problem with a call definition, as sentences an officer can act on: each names its
    field, unknown fields are refused (with the nearest known one), every value is type- and
    range-checked. A definition with no problems can be stored, swept, shown and reported on."""
    if not isinstance(data, dict):
        return ["the file must hold a mapping of call fields"]
    found = Problems()
    found.mapping("", data, TOP_FIELDS)
    for name in ("slug", "reference", "title", "deadline", "timezone", "sections"):
        if not data.get(name):  # also `false` and 0, which YAML makes of `no` and `0`
            found.append(f"{name} is required")
    if data.get("slug") and not (isinstance(data["slug"], str) and SLUG.match(data["slug"])):
        found.append("slug: lowercase letters, digits and dashes, 2-80 characters")
    found.text("reference", data.get("reference"), limit=120)
    found.text("report_symbol", data.get("report_symbol"), limit=120)
    found.one_of("language", data.get("language"), LANGUAGES, required="language" in data)
    found.translated("title", data.get("title"), limit=300)
    found.translated("explanatory_note", data.get("explanatory_note"), limit=20000)
    meeting = found.mapping("meeting", data.get("meeting"), MEETING_FIELDS)
    for name in ("name", "venue"):
        found.text(f"meeting.{name}", meeting.get(name))
    for name in ("starts", "ends"):
        found.calendar_date(f"meeting.{name}", meeting.get(name))
    contact = found.mapping("contact", data.get("contact"), CONTACT_FIELDS)
    for name in CONTACT_FIELDS:
        found.text(f"contact.{name}", contact.get(name))
    zone = data.get("timezone")
    if zone and not known_zone(zone):  # a missing one is "required" above
        found.append(f"timezone: {str(zone)[:64]} is not a known time zone (e.g. America/New_York)")
        zone = None
    if data.get("deadline") and zone:
        try:
            if not in_window(_parse_moment(data["deadline"], zone)):
                raise ValueError
        except (ValueError, OverflowError, TypeError):
            found.append(f"deadline: a date and time between {EARLIEST:%Y} and {LATEST:%Y}, "
                         "written as 2007-10-29 18:00 (in the call's time zone)")
    policy = found.mapping("policy", data.get("policy"), POLICY_FIELDS)
    for name in POLICY_FIELDS:
        found.flag(f"policy.{name}", policy.get(name))
    reminders = found.mapping("reminders", data.get("reminders"), REMINDER_FIELDS)
    slots = 0
    for name in ("days_before", "days_after"):
        days = reminders.get(name, [])
        if not isinstance(days, list) or not all(
                isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= MAX_REMINDER_DAYS for d in days):
            found.append(f"reminders.{name}: a list of whole days from 0 to {MAX_REMINDER_DAYS}, e.g. [14, 7, 2]")
        else:
            slots += len(set(days))
    if reminders.get("escalate_from") is not None:
        found.whole("reminders.escalate_from", reminders["escalate_from"], 1, max(1, slots))
    addressed = data.get("addressed", "all")
    if addressed != "all" and not (isinstance(addressed, list) and all(
            isinstance(c, str) and re.fullmatch(r"[A-Za-z]{2}", c) for c in addressed)):
        found.append("addressed: 'all' or a list of two-letter ISO state codes")
    found.one_of("status", data.get("status"), STATUSES, required="status" in data)
    sections = data.get("sections") or []
    if not isinstance(sections, list):
        found.append("sections: must be a list")
        sections = []
    keys = [s.get("key") for s in sections if isinstance(s, dict) and isinstance(s.get("key"), str)]
    if len(keys) != len(set(keys)):
        found.append("sections: every key must be different")
    for index, section in enumerate(sections):
        where = f"sections[{index}]"
        found.extend(definition_errors(section, where) if isinstance(section, dict)
                     else [f"{where}: must be a mapping"])
    return found


def parse(text: str) -> dict:
    try:
        data = clean_tree(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise CallDefinitionError([f"not valid YAML: {exc}"]) from exc
    errors = check_definition(data)
    if errors:
        raise CallDefinitionError(errors)
    return data


def _i18n(value, language: str) -> dict:
    return value if isinstance(value, dict) else {language: value or ""}


def own_language_first(value, language: str):
    """Every text given per language with the call's own language first, so that where a
    reader's language is missing the call's own is shown."""
    if isinstance(value, list):
        return [own_language_first(v, language) for v in value]
    if isinstance(value, dict):
        if value and set(value) <= set(LANGUAGES):
            return {**({language: value[language]} if language in value else {}), **value}
        return {k: own_language_first(v, language) for k, v in value.items()}
    return value


def apply_definition(call: Call, data: dict) -> Call:
    """Copy a checked definition onto a call (new or existing)."""
    data = own_language_first(data, data.get("language", "en"))
    call.slug = data["slug"]
    call.reference = str(data["reference"])
    call.report_symbol = str(data.get("report_symbol") or "").strip() or None
    call.language = data.get("language", "en")
    call.title = _i18n(data["title"], call.language)
    call.explanatory_note = _i18n(data.get("explanatory_note"), call.language)
    call.meeting = {k: str(v) for k, v in (data.get("meeting") or {}).items()}
    call.contact = dict(data.get("contact") or {})
    call.timezone = data["timezone"]
    call.deadline = _parse_moment(data["deadline"], data["timezone"])
    policy = data.get("policy") or {}
    call.accept_late = bool(policy.get("accept_late", True))
    call.allow_amendments = bool(policy.get("allow_amendments", True))
    call.close_at_deadline = bool(policy.get("close_at_deadline", False))
    call.reminders = {**DEFAULT_REMINDERS, **(data.get("reminders") or {})}
    call.sections = copy.deepcopy(data["sections"])
    return call


def address(call: Call, codes: list[str] | str) -> int:
    """Open the call to these member states' missions (idempotent; a state it had been withdrawn
    from gets it back with its history); returns how many were added. Only members are addressed."""
    missions = db.session.scalars(db.select(Mission).join(Mission.member_state)
                                  .where(MemberState.member.is_(True))).all()
    wanted = {m.code for m in missions} if codes == "all" else {c.upper() for c in codes}
    have = {s.mission_id: s for s in call.submissions}
    added = 0
    for mission in missions:
        if mission.code not in wanted:
            continue
        if mission.id not in have:
            db.session.add(Submission(call=call, mission=mission, content=blank_content(call)))
            added += 1
        elif have[mission.id].withdrawn_at is not None:
            have[mission.id].withdrawn_at = None
            added += 1
    return added


def set_addressees(call: Call, codes: list[str] | str) -> tuple[int, int]:
    """Address the call to exactly these states. A state taken off is withdrawn, never deleted:
    its invitations, reminders and audit trail stay, and nobody chases it any more.
    Returns (added, withdrawn)."""
    added = address(call, codes)
    wanted = None if codes == "all" else {c.upper() for c in codes}
    withdrawn = 0
    for submission in call.submissions:
        if wanted is not None and submission.mission.code not in wanted and submission.withdrawn_at is None:
            submission.withdrawn_at = clock.now()
            withdrawn += 1
    return added, withdrawn


def _items_then(section: dict, first: list[dict], then: list[dict]) -> list[dict]:
    """`first`, then the items of `then` it does not already hold (by the kind's item id)."""
    kind = kind_of(section)
    known = {item.get(kind.item_id) for item in first}
    return first + [item for item in then if item.get(kind.item_id) not in known]


def _with_items(section: dict, items: list[dict]) -> dict:
    list_name = kind_of(section).item_list or ""
    return {**section, list_name: _items_then(section, items, section.get(list_name, []))}


def keep_former(call: Call, sections: list[dict]) -> None:
    """Before an edit: a section, or items of a section, that it takes off while answers (drafts
    or versions) hold them are kept in `former_sections`, so the report still shows those answers."""
    new = {s["key"]: s for s in sections}
    contents = [s.content for s in call.submissions] + [v.content for s in call.submissions for v in s.versions]
    former = {s["key"]: s for s in call.former_sections or []}
    for section in call.sections:
        kind, key = kind_of(section), section["key"]
        answers = [content.get(key, {}) for content in contents]
        replacement = new.get(key)
        if replacement is None or replacement["kind"] != section["kind"]:
            if any(kind.has_content(section, answer) for answer in answers):
                earlier = former.get(key)
                former[key] = (_with_items(section, earlier.get(kind.item_list or "", []))
                               if earlier and earlier["kind"] == section["kind"] and kind.item_list else section)
            continue
        if not kind.item_list:
            continue
        kept = {item.get(kind.item_id) for item in replacement.get(kind.item_list, [])}
        held = set().union(*(kind.answered_items(section, answer) for answer in answers)) if answers else set()
        gone = [item for item in section.get(kind.item_list, [])
                if item.get(kind.item_id) not in kept and item.get(kind.item_id) in held]
        if gone:
            earlier = former.get(key)
            former[key] = _with_items(earlier, gone) if earlier and earlier["kind"] == section["kind"] else {
                **section, kind.item_list: gone}
    call.former_sections = list(former.values()) or None


def report_sections(call: Call) -> list[dict]:
    """The sections a report lays out: the call's own, with the items an edit took off while
    answers held them, then the sections it took off (marked `former`)."""
    former = {s["key"]: s for s in call.former_sections or []}
    out = []
    for section in call.sections:
        kind, earlier = kind_of(section), former.get(section["key"])
        if earlier and earlier["kind"] == section["kind"] and kind.item_list:
            del former[section["key"]]
            section = {**section, kind.item_list: _items_then(section, section.get(kind.item_list, []),
                                                               earlier.get(kind.item_list, []))}
        out.append(section)
    keys = {s["key"] for s in call.sections}
    return out + [{**s, "former": True} for s in former.values() if s["key"] not in keys]


def update_call(call: Call, data: dict, actor) -> tuple[int, int]:
    """Apply an edited, checked definition and its addressees; audited. The caller commits."""
    keep_former(call, data["sections"])
    apply_definition(call, data)
    added, withdrawn = set_addressees(call, data.get("addressed", "all"))
    audit.record("call_edited", actor, call=call, detail={"added_states": added, "withdrawn_states": withdrawn})
    return added, withdrawn


def newest_first(limit: int | None = None, offset: int = 0) -> list[Call]:
    """Calls, the latest deadline first: the order of every list and filter of calls."""
    return list(db.session.scalars(db.select(Call).order_by(Call.deadline.desc(), Call.id.desc())
                                   .limit(limit).offset(offset)))


CHOICES = 200


def choices(selected: int | None = None) -> list[tuple[int, str]]:
    """(id, reference) of the calls a filter offers, newest first: every open call and the latest
    CHOICES others (ten years of calls would make a list nobody can use), and the one chosen."""
    recent = db.select(Call.id).order_by(Call.deadline.desc(), Call.id.desc()).limit(CHOICES)
    offered = db.or_(Call.status == CallStatus.OPEN, Call.id.in_(recent.scalar_subquery()),
                     Call.id == (selected or 0))
    return [(row.id, row.reference) for row in db.session.execute(
        db.select(Call.id, Call.reference).where(offered).order_by(Call.deadline.desc(), Call.id.desc()))]


def blank_content(call: Call) -> dict:
    return {s["key"]: empty_answer(s) for s in call.sections}


def addressed_codes(call: Call) -> list[str]:
    return sorted(s.mission.code for s in call.submissions if s.withdrawn_at is None)


def import_call(text: str, actor=None) -> Call:
    return create(parse(text), actor)


def create(data: dict, actor=None, *, status: str | None = None, event: str = "call_imported") -> Call:
    """Store a new call from a checked definition and address it. The caller commits."""
    errors = check_definition(data)
    if errors:
        raise CallDefinitionError(errors)
    if db.session.scalar(db.select(Call).filter_by(slug=data["slug"])):
        raise CallDefinitionError([f"slug: a call with slug {data['slug']} already exists"])
    call = apply_definition(Call(status=status or data.get("status", CallStatus.OPEN)), data)
    db.session.add(call)
    db.session.flush()
    address(call, data.get("addressed", "all"))
    audit.record(event, actor, call=call, detail={"slug": call.slug})
    return call


def open_call(call: Call, actor) -> bool:
    """Open a draft call to its missions (they see it from now on); audited. False if it was
    not a draft. The caller commits, then sends the invitations."""
    if call.status != CallStatus.DRAFT:
        return False
    call.status = CallStatus.OPEN
    audit.record("call_opened", actor, call=call)
    return True


def to_definition(call: Call) -> dict:
    local = clock.to_zone(call.deadline, call.timezone)
    return {
        "slug": call.slug,
        "reference": call.reference,
        **({"report_symbol": call.report_symbol} if call.report_symbol else {}),
        "language": call.language,
        "title": call.title,
        "meeting": call.meeting,
        "explanatory_note": call.explanatory_note,
        "contact": call.contact,
        "timezone": call.timezone,
        "deadline": local.strftime("%Y-%m-%d %H:%M"),
        "policy": {
            "accept_late": call.accept_late,
            "allow_amendments": call.allow_amendments,
            "close_at_deadline": call.close_at_deadline,
        },
        "reminders": call.reminders,
        "addressed": addressed_codes(call),
        "sections": call.sections,
    }


def export_call(call: Call) -> str:
    return yaml.safe_dump(to_definition(call), allow_unicode=True, sort_keys=False, width=100)


def _shift_date_text(text: str, delta: timedelta) -> str:
    try:
        return (date.fromisoformat(text) + delta).isoformat()
    except ValueError:
        return text


def shift_definition(data: dict, shift: timedelta) -> dict:
    """A definition with its deadline and meeting dates moved by `shift` (whole days)."""
    moved = copy.deepcopy(data)
    moved["deadline"] = (_parse_local(data["deadline"]) + shift).strftime("%Y-%m-%d %H:%M")
    moved["meeting"] = {k: _shift_date_text(str(v), shift) if k in ("starts", "ends") else v
                        for k, v in (data.get("meeting") or {}).items()}
    return moved


def _parse_local(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())


def clone(call: Call, *, slug: str, reference: str, shift: timedelta, actor=None) -> Call:
    """The same call for another year: every date moved by `shift`, answers left behind."""
    data = shift_definition({**to_definition(call), "slug": slug, "reference": reference}, shift)
    new = import_call(yaml.safe_dump(data, allow_unicode=True), actor)
    audit.record("call_cloned", actor, call=new, detail={"from": call.slug})
    return new
