"""Section kinds: what a call may ask for, as data. Each kind knows how to check its own
definition, what an empty answer looks like, and what a complete answer needs.

Answers live in `Submission.content[section_key]`:

    nominations      {"experts": [{name, title, institution, email, phone, role, funding}]}
    experience_areas {"areas": {area_key: {"present": bool, "description": str}}}
    agenda_comments  {"general": str, "comments": {item_number: str}}
    documents        {"files": {slot_key: document_id}}
    questions        {"answers": {question_key: str}}
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .checks import Problems
from .i18n import lazy_gettext as _

KINDS = ("nominations", "experience_areas", "agenda_comments", "documents", "questions")
EXPERT_FIELDS = ("name", "title", "institution", "email", "phone", "role", "funding")
ROLES = ("head_of_delegation", "delegate", "alternate", "adviser")
FUNDING = ("funded", "own_cost")
QUESTION_TYPES = ("text", "textarea", "yesno", "choice")
DEFAULT_TYPES = ("pdf", "docx", "doc", "odt")
KEY = re.compile(r"^[a-z0-9_]{1,60}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Problem:
    """Something to fix, attached to one field: path is inside the section's answer."""

    section: str
    path: tuple
    message: str


COMMON_FIELDS = ("key", "kind", "title", "description")
KIND_FIELDS = {
    "nominations": ("min", "max", "funded_quota"),
    "experience_areas": ("areas",),
    "agenda_comments": ("items",),
    "documents": ("documents",),
    "questions": ("questions",),
}
ITEM_FIELDS = {
    "areas": ("key", "label", "free_text"),
    "items": ("number", "title"),
    "documents": ("key", "label", "required", "max_mb", "types"),
    "questions": ("key", "label", "type", "required", "choices"),
}
KNOWN_FILE_TYPES = ("pdf", "docx", "doc", "odt", "xlsx", "rtf")
MAX_EXPERTS = 50


def definition_errors(section: dict, where: str | None = None) -> list[str]:
    """What is wrong with one section's definition (empty when it is usable)."""
    key, kind = section.get("key"), section.get("kind")
    where = where or f"section {key or '?'}"
    found = Problems()
    if not isinstance(key, str) or not KEY.match(key):
        found.append(f"{where}.key: 1-60 lowercase letters, digits or _")
    if kind not in KINDS:
        found.append(f"{where}.kind: one of {', '.join(KINDS)}")
        return found
    found.mapping(where, section, COMMON_FIELDS + KIND_FIELDS[kind])
    found.translated(f"{where}.title", section.get("title"), required=True)
    found.translated(f"{where}.description", section.get("description"), limit=5000)
    if kind == "nominations":
        lo, hi, quota = section.get("min", 0), section.get("max", 10), section.get("funded_quota", 0)
        before = len(found)
        found.whole(f"{where}.min", lo, 0, MAX_EXPERTS, required=True)
        found.whole(f"{where}.max", hi, 1, MAX_EXPERTS, required=True)
        found.whole(f"{where}.funded_quota", quota, 0, MAX_EXPERTS, required=True)
        if len(found) == before and lo > hi:
            found.append(f"{where}: min ({lo}) must not be above max ({hi})")
        return found
    list_key = KIND_FIELDS[kind][0]
    ident = "number" if kind == "agenda_comments" else "key"
    seen = set()
    for item_where, item in found.items(f"{where}.{list_key}", section.get(list_key)):
        found.mapping(item_where, item, ITEM_FIELDS[list_key])
        value = item.get(ident)
        if ident == "number":
            found.whole(f"{item_where}.number", value, 1, 999, required=True)
        elif not isinstance(value, str) or not KEY.match(value):
            found.append(f"{item_where}.key: 1-60 lowercase letters, digits or _")
        marker = value if isinstance(value, str | int) and not isinstance(value, bool) else None
        if marker is not None and marker in seen:
            found.append(f"{item_where}.{ident}: {value} appears twice")
        seen.add(marker)
        found.translated(f"{item_where}.{'title' if ident == 'number' else 'label'}",
                         item.get("title" if ident == "number" else "label"), required=True)
        if kind == "experience_areas":
            found.flag(f"{item_where}.free_text", item.get("free_text"))
        elif kind == "documents":
            found.flag(f"{item_where}.required", item.get("required"))
            found.whole(f"{item_where}.max_mb", item.get("max_mb"), 1, 100, required="max_mb" in item)
            types = item.get("types")
            if types is not None and (not isinstance(types, list) or not types
                                      or any(t not in KNOWN_FILE_TYPES for t in types)):
                found.append(f"{item_where}.types: a list of {', '.join(KNOWN_FILE_TYPES)}")
        elif kind == "questions":
            found.flag(f"{item_where}.required", item.get("required"))
            found.one_of(f"{item_where}.type", item.get("type"), QUESTION_TYPES)
            choices = item.get("choices")
            if item.get("type") == "choice" or choices is not None:
                if not isinstance(choices, list) or not choices or len(choices) > 100:
                    found.append(f"{item_where}.choices: a non-empty list (at most 100)")
                else:
                    for index, choice in enumerate(choices):
                        found.translated(f"{item_where}.choices[{index}]", choice, required=True, limit=200)
    return found


EMPTY_ANSWERS: dict[str, Callable[[], dict]] = {
    "nominations": lambda: {"experts": []},
    "experience_areas": lambda: {"areas": {}},
    "agenda_comments": lambda: {"general": "", "comments": {}},
    "documents": lambda: {"files": {}},
    "questions": lambda: {"answers": {}},
}


def empty_answer(section: dict) -> dict:
    return EMPTY_ANSWERS[section["kind"]]()


def blank_expert(expert: dict) -> bool:
    return not any((expert.get(f) or "").strip() for f in ("name", "title", "institution", "email", "phone"))


def problems(section: dict, answer: dict) -> list[Problem]:
    """What stops this answer from being submitted (format and completeness)."""
    key, kind, found = section["key"], section["kind"], []

    def add(path, message):
        found.append(Problem(key, path, message))

    if kind == "nominations":
        experts = answer.get("experts", [])
        named = [(i, e) for i, e in enumerate(experts) if not blank_expert(e)]
        lo, hi, quota = section.get("min", 0), section.get("max", 10), section.get("funded_quota", 0)
        if len(named) < lo:
            add((), _("Nominate at least %(n)s expert(s).", n=lo))
        if len(named) > hi:
            add((), _("Nominate at most %(n)s expert(s).", n=hi))
        funded = 0
        for i, expert in named:
            if not (expert.get("name") or "").strip():
                add(("experts", i, "name"), _("Give the expert's full name."))
            if not (expert.get("institution") or "").strip():
                add(("experts", i, "institution"), _("Give the expert's institution."))
            email = (expert.get("email") or "").strip()
            if not email:
                add(("experts", i, "email"), _("Give an email address to reach the expert."))
            elif not EMAIL.match(email):
                add(("experts", i, "email"), _("This does not look like an email address."))
            if expert.get("funding") == "funded":
                funded += 1
                if funded > quota:
                    add(("experts", i, "funding"),
                        _("Only %(n)s funded place(s) per state; mark further experts at own cost.",
                          n=quota))
    elif kind == "experience_areas":
        for area in section["areas"]:
            chosen = answer.get("areas", {}).get(area["key"], {})
            if area.get("free_text") and chosen.get("present") and not (chosen.get("description") or "").strip():
                add(("areas", area["key"], "description"), _("Say which issue the expert would present."))
    elif kind == "documents":
        files = answer.get("files", {})
        for slot in section["documents"]:
            if slot.get("required") and not files.get(slot["key"]):
                add(("files", slot["key"]), _("This document is required."))
    elif kind == "questions":
        answers = answer.get("answers", {})
        for question in section["questions"]:
            if question.get("required") and not (answers.get(question["key"]) or "").strip():
                add(("answers", question["key"]), _("This question needs an answer."))
    return found


def format_problems(section: dict, answer: dict) -> list[Problem]:
    """Only what is malformed (shown as a warning when a draft is saved)."""
    return [p for p in problems(section, answer)
            if p.path and p.path[-1] == "email" and (answer_at(answer, p.path) or "").strip()]


def answer_at(answer: dict, path: tuple):
    value = answer
    for step in path:
        value = value[step] if isinstance(value, list) else value.get(step, {})
    return value


def compact(sections: list[dict], content: dict) -> dict:
    """The content as stored: blank expert rows dropped."""
    out = dict(content)
    for section in sections:
        if section["kind"] == "nominations" and section["key"] in out:
            experts = out[section["key"]].get("experts", [])
            out[section["key"]] = {**out[section["key"]], "experts": [e for e in experts if not blank_expert(e)]}
    return out
