"""Section kinds: what a call may ask for. Each kind has one home, a module in this package, and
is registered in `KINDS`; the rest of Missiva asks the registry (`kind_of(section)`) and never
branches on a kind's name. Adding a kind means adding its module here, its entry in `KINDS`, and
its page partials in templates/sections/<name>/ (form, view and report).

Answers live in `Submission.content[section_key]`, in the shape each kind's module describes.
"""
from __future__ import annotations

from ..checks import Problems
from .agenda_comments import AgendaComments
from .base import COMMON_FIELDS, KEY, Field, Group, Problem, Repeat, SectionKind
from .documents import Documents
from .experience_areas import ExperienceAreas
from .nominations import Nominations
from .questions import Questions

KINDS: dict[str, SectionKind] = {kind.name: kind for kind in (
    Nominations(), ExperienceAreas(), AgendaComments(), Documents(), Questions())}

__all__ = ["KINDS", "Field", "Group", "Problem", "Repeat", "SectionKind", "answer_at", "compact",
           "definition_errors", "empty_answer", "format_problems", "kind_of", "problems"]


def kind_of(section: dict) -> SectionKind:
    """The kind of a stored section (its definition was checked when it was stored)."""
    return KINDS[section["kind"]]


def definition_errors(section: dict, where: str | None = None) -> list[str]:
    """What is wrong with one section's definition (empty when it is usable)."""
    key, name = section.get("key"), section.get("kind")
    where = where or f"section {key or '?'}"
    found = Problems()
    if not isinstance(key, str) or not KEY.match(key):
        found.append(f"{where}.key: 1-60 lowercase letters, digits or _")
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        found.append(f"{where}.kind: one of {', '.join(KINDS)}")
        return found
    found.mapping(where, section, COMMON_FIELDS + kind.fields)
    found.translated(f"{where}.title", section.get("title"), required=True)
    found.translated(f"{where}.description", section.get("description"), limit=5000)
    kind.check(section, where, found)
    return found


def empty_answer(section: dict) -> dict:
    return kind_of(section).empty()


def problems(section: dict, answer: dict, state: str | None = None) -> list[Problem]:
    """What stops this answer (of the member state `state`) from being submitted."""
    found: list[Problem] = []
    kind_of(section).problems(section, answer, lambda path, message: found.append(
        Problem(section["key"], path, message)), state)
    return found


def format_problems(section: dict, answer: dict, state: str | None = None) -> list[Problem]:
    """Only what is malformed (shown as a warning when a draft is saved)."""
    return [p for p in problems(section, answer, state)
            if p.path and p.path[-1] == "email" and (answer_at(answer, p.path) or "").strip()]


def answer_at(answer: dict, path: tuple):
    value = answer
    for step in path:
        value = value[step] if isinstance(value, list) else value.get(step, {})
    return value


def compact(sections: list[dict], content: dict) -> dict:
    """The content as stored: blank rows dropped."""
    return {**content, **{s["key"]: kind_of(s).compact(s, content[s["key"]]) for s in sections if s["key"] in content}}


def attached_ids(sections: list[dict], content: dict) -> set[int]:
    """The ids of the documents a content refers to."""
    return {doc_id for s in sections for doc_id in kind_of(s).attached(content.get(s["key"], {})).values() if doc_id}
