"""The call builder: a call's definition edited as a form, with no YAML to type.

The page posts every value of the definition under a name that is its path in the definition
(`title.es`, `sections[1].documents[0].max_mb`), so `read(form)` rebuilds the whole definition
from any post and `check_definition`'s messages, which start with the same path, land next to
their field. Buttons change the definition's shape (`act`): add, move or remove a section or an
item. Nothing is stored until the definition is checked; nothing typed is lost on the way.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from . import clock
from .calls import DEFAULT_REMINDERS
from .checks import LANGUAGE_NAMES, LANGUAGES
from .db import db
from .i18n import lazy_gettext as _
from .member_states import REGIONS
from .models import Call, Submission
from .sections import KINDS, kind_of
from .sections.base import Setting
from .text import clean, clean_line

WHOLE = re.compile(r"^-?\d{1,9}$")
MAX_SECTIONS = 40
MAX_ITEMS = 200
MEETING = ("name", "venue", "starts", "ends")
CONTACT = ("name", "email", "phone", "fax", "address")
POLICY = ("accept_late", "allow_amendments", "close_at_deadline")


class Posted:
    """The posted form, read by path: text cleaned on the way in, like every form's."""

    def __init__(self, form: Mapping):
        self.form = form

    def text(self, name: str) -> str:
        return clean_line(self.form.get(name) or "").strip()

    def long_text(self, name: str) -> str:
        return clean(self.form.get(name) or "").strip()

    def flag(self, name: str) -> bool:
        return bool(self.form.get(name))

    def many(self, name: str) -> list[str]:
        getter = getattr(self.form, "getlist", None)
        values = getter(name) if getter else self.form.get(name, [])
        return [clean_line(v).strip() for v in values if isinstance(v, str) and v.strip()]

    def count(self, prefix: str) -> int:
        """How many entries `prefix[i]` the post holds (the highest index seen, plus one)."""
        pattern = re.compile(re.escape(prefix) + r"\[(\d{1,4})\]")
        found = [int(m.group(1)) for name in self.form for m in [pattern.match(name)] if m]
        return min(max(found, default=-1) + 1, MAX_ITEMS)


def _whole(text: str):
    """A whole number when it is one; else the text as typed (the check then names the field)."""
    if text == "":
        return None
    return int(text) if WHOLE.match(text) else text


def _days(text: str):
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    return [_whole(p) for p in parts]


def _translated(posted: Posted, name: str, *, long: bool = False) -> dict:
    read = posted.long_text if long else posted.text
    return {language: text for language in LANGUAGES if (text := read(f"{name}.{language}"))}


def _lines(posted: Posted, name: str) -> list:
    """A translated list: one textarea per language, line i of each making entry i."""
    by_language = {language: [line.strip() for line in posted.long_text(f"{name}.{language}").splitlines()]
                   for language in LANGUAGES}
    length = max((len(lines) for lines in by_language.values()), default=0)
    entries = []
    for index in range(length):
        entry = {language: lines[index] for language, lines in by_language.items()
                 if index < len(lines) and lines[index]}
        if entry:
            entries.append(entry)
    return entries


def _setting(posted: Posted, name: str, setting: Setting):
    kind = setting.type
    if kind == "whole":
        return _whole(posted.text(name))
    if kind == "flag":
        return posted.flag(name)
    if kind in ("translated", "long_translated"):
        return _translated(posted, name, long=kind == "long_translated")
    if kind == "choices":
        return posted.many(name) or None
    if kind == "lines":
        return _lines(posted, name) or None
    if kind == "state":
        return posted.text(name).upper()
    return posted.text(name)


def _settings(posted: Posted, prefix: str, settings, into: dict) -> dict:
    for setting in settings:
        value = _setting(posted, f"{prefix}.{setting.name}", setting)
        if not (value is None or value == "" or value is False) or setting.type in ("translated", "key"):
            into[setting.name] = value
    return into


def read_section(posted: Posted, index: int) -> dict | None:
    prefix = f"sections[{index}]"
    kind = KINDS.get(posted.text(f"{prefix}.kind"))
    if kind is None:
        return None
    section = {"key": posted.text(f"{prefix}.key") or f"{kind.name}_{index + 1}", "kind": kind.name,
               "title": _translated(posted, f"{prefix}.title")}
    description = _translated(posted, f"{prefix}.description", long=True)
    if description:
        section["description"] = description
    _settings(posted, prefix, kind.settings, section)
    for item_list in kind.lists:
        where = f"{prefix}.{item_list.name}"
        items = [_settings(posted, f"{where}[{i}]", item_list.settings, {}) for i in range(posted.count(where))]
        for setting in item_list.settings:
            if setting.type == "key":  # a short name left blank is made from the position
                taken = {item.get(setting.name) for item in items}
                for item in items:
                    if not item.get(setting.name):
                        item[setting.name] = _new_key(taken, kind.item_stem())
                        taken.add(item[setting.name])
        if items or item_list.required:
            section[item_list.name] = items
    return section


def read(form: Mapping) -> dict:
    """The whole definition the builder posted."""
    posted = Posted(form)
    deadline = posted.text("deadline").replace("T", " ")
    data: dict = {
        "slug": posted.text("slug"), "reference": posted.text("reference"),
        "report_symbol": posted.text("report_symbol"),
        "language": posted.text("language") or "en",
        "title": _translated(posted, "title"),
        "explanatory_note": _translated(posted, "explanatory_note", long=True),
        "meeting": {k: v for k in MEETING if (v := posted.text(f"meeting.{k}"))},
        "contact": {k: v for k in CONTACT if (v := posted.text(f"contact.{k}"))},
        "timezone": posted.text("timezone"), "deadline": deadline,
        "policy": {k: posted.flag(f"policy.{k}") for k in POLICY},
        "reminders": {"days_before": _days(posted.text("reminders.days_before")),
                      "days_after": _days(posted.text("reminders.days_after")),
                      "escalate_from": _whole(posted.text("reminders.escalate_from"))},
        "addressed": "all" if posted.flag("addressed_all") else [c.upper() for c in posted.many("addressed")],
        "sections": [s for i in range(min(posted.count("sections"), MAX_SECTIONS))
                     if (s := read_section(posted, i)) is not None],
    }
    return data


def blank(language: str = "en", timezone: str = "America/New_York") -> dict:
    """Where a new call starts: a deadline a month away and one section of governmental experts."""
    deadline = clock.to_zone(clock.now(), timezone).replace(hour=18, minute=0, second=0, microsecond=0)
    deadline = deadline.replace(tzinfo=None) + (datetime(2000, 2, 1) - datetime(2000, 1, 1))
    return {"slug": "", "reference": "", "report_symbol": "", "language": language, "title": {}, "explanatory_note": {},
            "meeting": {}, "contact": {}, "timezone": timezone, "deadline": deadline.strftime("%Y-%m-%d %H:%M"),
            "policy": {"accept_late": True, "allow_amendments": True, "close_at_deadline": False},
            "reminders": dict(DEFAULT_REMINDERS), "addressed": "all",
            "sections": [KINDS["nominations"].new_section("experts", language)]}


def _new_key(taken: set, stem: str) -> str:
    number = 1
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


def act(data: dict, action: str) -> bool:
    """Change the definition's shape as a builder button asks: `add:<kind>`, `remove:<i>`,
    `up:<i>`, `down:<i>`, `add-item:<i>:<list>`, `remove-item:<i>:<list>:<j>`,
    `up-item:<i>:<list>:<j>`, `down-item:<i>:<list>:<j>`. False when the action is not one."""
    sections, language = data["sections"], data.get("language") or "en"
    verb, _sep, rest = action.partition(":")
    parts = rest.split(":")
    if verb == "region" and rest in REGIONS:
        chosen = set() if data.get("addressed") == "all" else set(data.get("addressed") or [])
        data["addressed"] = sorted(chosen | set(REGIONS[rest]))
        return True
    try:
        if verb == "add" and rest in KINDS and len(sections) < MAX_SECTIONS:
            kind = KINDS[rest]
            sections.append(kind.new_section(_new_key({s.get("key") for s in sections}, kind.name), language))
            return True
        index = int(parts[0])
        if not 0 <= index < len(sections):
            return False
        if verb in ("remove", "up", "down") and len(parts) == 1:
            return _move(sections, index, verb)
        section, kind = sections[index], kind_of(sections[index])
        lists = {item_list.name: item_list for item_list in kind.lists}
        if parts[1] not in lists:
            return False
        items = section.setdefault(parts[1], [])
        if verb == "add-item" and len(parts) == 2 and len(items) < MAX_ITEMS:
            taken = {str(item.get(kind.item_id)) for item in items}
            number = len(items) + 1
            while str(number) in taken or kind.new_item(parts[1], number, language).get(kind.item_id) in taken:
                number += 1
            items.append(kind.new_item(parts[1], number, language))
            return True
        if verb in ("remove-item", "up-item", "down-item") and len(parts) == 3:
            item = int(parts[2])
            return 0 <= item < len(items) and _move(items, item, verb.removesuffix("-item"))
    except (ValueError, IndexError, KeyError):
        return False
    return False


def _move(entries: list, index: int, verb: str) -> bool:
    if verb == "remove":
        del entries[index]
    elif verb == "up" and index > 0:
        entries[index - 1], entries[index] = entries[index], entries[index - 1]
    elif verb == "down" and index < len(entries) - 1:
        entries[index + 1], entries[index] = entries[index], entries[index + 1]
    else:
        return False
    return True


def field_errors(errors: list[str]) -> dict[str, list[str]]:
    """Each problem under the path of the field it names (`sections[0].min: ...` -> sections[0].min)."""
    placed: dict[str, list[str]] = {}
    for error in errors:
        path, sep, message = error.partition(": ")
        if not sep:
            path, sep, message = error.partition(" is required")
            message = "required" if sep else error
        placed.setdefault(path.strip() if sep else "", []).append(message)
    return placed


def missing_translations(data: dict) -> dict[str, int]:
    """For each language, how many of the call's texts have no entry in it."""
    texts = [data.get("title") or {}]
    for section in data.get("sections") or []:
        if not isinstance(section, dict):
            continue
        texts.append(section.get("title") or {})
        kind = KINDS.get(str(section.get("kind")))
        for item_list in kind.lists if kind else ():
            for item in section.get(item_list.name) or []:
                for setting in item_list.settings:
                    if setting.type == "translated" and isinstance(item, dict):
                        texts.append(item.get(setting.name) or {})
    return {language: sum(1 for t in texts if isinstance(t, dict) and t and not t.get(language))
            for language in LANGUAGES}


def orphaned(call: Call, sections: list[dict]) -> list[dict]:
    """What an edit would leave behind in answers already given: sections removed (or changed to
    another kind) and items removed that hold something. Frozen versions keep it either way."""
    new = {s["key"]: s for s in sections}
    answers = db.session.scalars(db.select(Submission).where(Submission.call_id == call.id)).all()
    found = []
    for section in call.sections:
        kind, replacement = kind_of(section), new.get(section["key"])
        gone_whole = replacement is None or replacement["kind"] != section["kind"]
        kept = [] if replacement is None or gone_whole else replacement.get(kind.item_list or "", [])
        kept_items = {item.get(kind.item_id) for item in kept}
        states, items = set(), set()
        for submission in answers:
            answer = submission.content.get(section["key"], {})
            if gone_whole and kind.has_content(section, answer):
                states.add(submission.mission.member_state.name())
            elif not gone_whole:
                lost = kind.answered_items(section, answer) - kept_items
                if lost:
                    states.add(submission.mission.member_state.name())
                    items |= lost
        if states:
            found.append({"section": section, "whole": gone_whole, "items": sorted(map(str, items)),
                          "states": sorted(states)})
    return found


CALL_LABELS = {
    "slug": _("Short name (used in links and files)"), "reference": _("Document reference"),
    "report_symbol": _("Symbol of the consolidated report"),
    "language": _("Language of the call"), "title": _("Title"), "explanatory_note": _("Explanatory note"),
    "meeting": _("Meeting"), "contact": _("Contact at the secretariat"), "timezone": _("Time zone of the call"),
    "deadline": _("Deadline (in the call’s time zone)"), "policy": _("Deadline, policy and reminders"),
    "reminders": _("Deadline, policy and reminders"), "addressed": _("Addressed member states"),
    "sections": _("Sections"), "key": _("Short name (in exports)"),
    "description": _("Explanation for missions (optional)"),
}
STEP = re.compile(r"^([a-z_]+)(?:\[(\d{1,4})\])?$")


def where(path: str, data: dict) -> str:
    """A field's path as the officer reads it: `sections[1].items[0].title.es` becomes
    "Section 2 · Agenda item 1 · Agenda item · Español"."""
    words: list[str] = []
    kind = item_list = None
    for step in path.split("."):
        match = STEP.match(step)
        if not match:
            return path
        name, index = match.group(1), match.group(2)
        if name == "sections" and index is not None:
            words.append(str(_("Section %(n)s", n=int(index) + 1)))
            sections = data.get("sections") or []
            section = sections[int(index)] if int(index) < len(sections) else {}
            kind = KINDS.get(str(section.get("kind"))) if isinstance(section, dict) else None
            continue
        lists = {entry.name: entry for entry in kind.lists} if kind else {}
        if name in lists:
            item_list = lists[name]
            words.append(f"{item_list.item_label} {int(index) + 1}" if index is not None else str(item_list.label))
            continue
        settings = {s.name: s.label for s in (item_list.settings if item_list else kind.settings if kind else ())}
        label = settings.get(name) or CALL_LABELS.get(name) or LANGUAGE_NAMES.get(name) or name
        words.append(str(label))
    return " · ".join(words)
