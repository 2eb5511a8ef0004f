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
from dataclasses import dataclass

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


def definition_errors(section: dict) -> list[str]:
    """What is wrong with one section's definition (empty when it is usable)."""
    errors = []
    key, kind = section.get("key"), section.get("kind")
    where = f"section {key or '?'}"
    if not isinstance(key, str) or not KEY.match(key):
        errors.append(f"{where}: key must be 1-60 lowercase letters, digits or _")
    if kind not in KINDS:
        return errors + [f"{where}: kind must be one of {', '.join(KINDS)}"]
    if not section.get("title"):
        errors.append(f"{where}: a title is required")
    if kind == "nominations":
        lo, hi, quota = section.get("min", 0), section.get("max", 10), section.get("funded_quota", 0)
        if not all(isinstance(n, int) and n >= 0 for n in (lo, hi, quota)):
            errors.append(f"{where}: min, max and funded_quota are whole numbers")
        elif lo > hi or hi == 0 or hi > 50:
            errors.append(f"{where}: need 0 <= min <= max, and 1 <= max <= 50")
    for list_key, item_key in (("experience_areas", "areas"), ("agenda_comments", "items"),
                               ("documents", "documents"), ("questions", "questions")):
        if kind != list_key:
            continue
        items = section.get(item_key)
        if not isinstance(items, list) or not items:
            errors.append(f"{where}: {item_key} must be a non-empty list")
            continue
        ident = "number" if kind == "agenda_comments" else "key"
        seen = set()
        for item in items:
            ident_value = str(item.get(ident, "")) if isinstance(item, dict) else ""
            if not ident_value or (ident == "key" and not KEY.match(ident_value)):
                errors.append(f"{where}: every entry of {item_key} needs a valid {ident}")
            elif ident_value in seen:
                errors.append(f"{where}: {ident} {ident_value} appears twice")
            seen.add(ident_value)
            if isinstance(item, dict) and not (item.get("label") or item.get("title")):
                errors.append(f"{where}: {ident} {ident_value} needs a label")
            if kind == "questions" and isinstance(item, dict):
                if item.get("type", "text") not in QUESTION_TYPES:
                    errors.append(f"{where}: question {ident_value} type must be one of "
                                  f"{', '.join(QUESTION_TYPES)}")
                if item.get("type") == "choice" and not item.get("choices"):
                    errors.append(f"{where}: question {ident_value} needs choices")
    return errors


def empty_answer(section: dict) -> dict:
    return {
        "nominations": lambda: {"experts": []},
        "experience_areas": lambda: {"areas": {}},
        "agenda_comments": lambda: {"general": "", "comments": {}},
        "documents": lambda: {"files": {}},
        "questions": lambda: {"answers": {}},
    }[section["kind"]]()


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
