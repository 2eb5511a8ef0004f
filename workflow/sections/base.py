"""What every section kind shares: the kind's interface (`SectionKind`), the problems it reports,
and the description of its answer fields as data (`Field`, `Group`, `Repeat`), which forms/answer.py
turns into a web form. A kind never knows about HTTP; the web layer never knows about a kind."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..checks import Problems
from ..i18n import gettext as _

KEY = re.compile(r"^[a-z0-9_]{1,60}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COMMON_FIELDS = ("key", "kind", "title", "description")
TEXT = 200
LONG_TEXT = 5000


@dataclass(frozen=True)
class Problem:
    """Something to fix, attached to one field: path is inside the section's answer."""

    section: str
    path: tuple
    message: Any


@dataclass(frozen=True)
class Field:
    """One answer field. `type`: text, long_text, email, choice (a list), radio, check or file.
    `choices` are (value, label) pairs; a posted value not among them is refused."""

    name: str
    type: str
    label: Any
    max_length: int | None = None
    choices: tuple = ()
    default: str | None = None
    attrs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """Fields answered together (an area: "would present" and its description)."""

    name: str
    label: Any
    fields: tuple


@dataclass(frozen=True)
class Repeat:
    """A group the answer may hold several of (experts), `rows` shown, at most `limit`."""

    name: str
    group: Group
    rows: int
    limit: int


@dataclass(frozen=True)
class Change:
    """One value that differs between two versions of an answer, as an officer reads it."""

    where: str  # "Expert 2 · Title or post"
    old: str
    new: str


@dataclass(frozen=True)
class Setting:
    """One value of a section's definition as the call builder edits it. `type`: key, whole, flag,
    text, translated, long_translated, choice, choices (several of `choices`), state (a member
    state's code) or lines (a translated list, one entry per line)."""

    name: str
    type: str
    label: Any
    hint: Any = ""
    choices: tuple = ()


@dataclass(frozen=True)
class ItemList:
    """A list of items a section holds (areas, agenda items, document slots, questions, per-state
    figures), each edited with `settings`; `required`: the list may not be empty."""

    name: str
    label: Any
    item_label: Any
    settings: tuple[Setting, ...]
    required: bool = True


AddProblem = Callable[[tuple, Any], None]


def text_of(value) -> str:
    return (value or "").strip() if isinstance(value, str) else ""


def _shown(field: Field, value) -> str:
    if field.type == "check":
        return str(_("Yes")) if value else str(_("No"))
    if field.choices:
        return str(dict(field.choices).get(value, value or ""))
    return str(value or "")


def _document_name(documents: dict, document_id) -> str:
    found = documents.get(document_id) if document_id else None
    return found.original_name if found is not None else ""


class SectionKind:
    """One kind of section. A subclass in its own module (registered in sections/__init__.py)
    owns everything about its kind: the definition's fields and checks, the empty answer, what a
    complete answer needs, the answer form's fields, the report's payload and its renderings.
    Its page partials are templates/sections/<name>/{form,view,report}.html."""

    name: str = ""
    label: Any = ""
    #: The definition's own fields, beyond COMMON_FIELDS.
    fields: tuple[str, ...] = ()
    #: The list of items it asks about (areas, items, documents, questions), if any.
    item_list: str | None = None
    item_fields: tuple[str, ...] = ()
    item_id: str = "key"
    item_text: str = "label"
    #: What the call builder edits, beyond the key, title and description every section has.
    settings: tuple[Setting, ...] = ()
    lists: tuple[ItemList, ...] = ()

    # --- the definition --------------------------------------------------------------------
    def check(self, section: dict, where: str, found: Problems) -> None:
        """Check the kind's own fields (the common ones are checked already)."""
        seen = set()
        for item_where, item in found.items(f"{where}.{self.item_list}", section.get(self.item_list)):
            found.mapping(item_where, item, self.item_fields)
            value = item.get(self.item_id)
            if self.item_id == "number":
                found.whole(f"{item_where}.number", value, 1, 999, required=True)
            elif not isinstance(value, str) or not KEY.match(value):
                found.append(f"{item_where}.key: 1-60 lowercase letters, digits or _")
            marker = value if isinstance(value, str | int) and not isinstance(value, bool) else None
            if marker is not None and marker in seen:
                found.append(f"{item_where}.{self.item_id}: {value} appears twice")
            seen.add(marker)
            found.translated(f"{item_where}.{self.item_text}", item.get(self.item_text), required=True)
            self.check_item(item, item_where, found)

    def check_item(self, item: dict, where: str, found: Problems) -> None:
        """Check one item's own fields."""

    def new_section(self, key: str, language: str) -> dict:
        """The definition a section of this kind starts from in the call builder."""
        section: dict = {"key": key, "kind": self.name, "title": {language: str(self.label)}}
        for item_list in self.lists:
            section[item_list.name] = [self.new_item(item_list.name, 1, language)] if item_list.required else []
        return section

    def item_stem(self) -> str:
        """What an item's short name is made from when none is given (area_1, document_2)."""
        return (self.item_list or "item").rstrip("s")

    def new_item(self, list_name: str, number: int, language: str) -> dict:
        """A new item for the call builder (its key made from its position)."""
        return {self.item_id: number if self.item_id == "number" else f"{self.item_stem()}_{number}",
                self.item_text: {}}

    def answered_items(self, section: dict, answer: dict) -> set:
        """The ids of the items this answer holds something for (an item removed from the
        definition would leave that answer behind)."""
        return set()

    def has_content(self, section: dict, answer: dict) -> bool:
        """Whether the answer holds anything at all."""
        return bool(self.answered_items(section, answer))

    # --- the answer ------------------------------------------------------------------------
    def empty(self) -> dict:
        raise NotImplementedError

    def problems(self, section: dict, answer: dict, add: AddProblem, state: str | None = None) -> None:
        """What stops this answer from being submitted (format and completeness)."""

    def compact(self, section: dict, answer: dict) -> dict:
        """The answer as stored (blank rows dropped)."""
        return answer

    def attached(self, answer: dict) -> dict:
        """The documents the answer refers to, slot key -> document id (the stored mapping itself)."""
        return {}

    def upload_slots(self, section: dict) -> list[dict]:
        """The slots a file may be uploaded into."""
        return []

    # --- the answer form -------------------------------------------------------------------
    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int,
                      state: str | None = None) -> list:
        """The form's fields for this section, as Field/Group/Repeat."""
        raise NotImplementedError

    def form_data(self, section: dict, answer: dict) -> dict:
        """A stored answer in the shape of the form's fields."""
        raise NotImplementedError

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        """What was posted (values already cleaned, choices only those offered) as a stored answer."""
        raise NotImplementedError

    def remove_entry(self, answer: dict, name: str, index: int) -> bool:
        """Take one row out of a repeated group of the answer (an expert); False if there is none."""
        rows = answer.get(name)
        if not isinstance(rows, list) or not 0 <= index < len(rows):
            return False
        del rows[index]
        return True

    def people(self, answer: dict) -> list[dict]:
        """The people an answer names (experts), as the dicts stored in it: the roster reads them and
        erasure empties them in place."""
        return []

    def fill_entry(self, section: dict, answer: dict, index: int, details: dict, state: str | None) -> bool:
        """Fill one row with a person's details picked from the mission's roster; False if this kind
        keeps no such rows."""
        return False

    def row_label(self, name: str, number: int) -> str:
        """What one row of a repeated group is called ("Expert 2")."""
        return _("Entry %(n)s", n=number)

    def changes(self, section: dict, old: dict, new: dict, locale: str, documents: dict) -> list[Change]:
        """Each value that differs between two answers to this section, read through the section's
        own answer form: its labels, its choices in words, documents by name; rows added or removed
        whole. `documents` maps a document id to its Document."""
        fields = self.answer_fields(section, locale, new, 0)  # rows are walked as stored, not as shown
        found: list[Change] = []
        self._compare(fields, self.form_data(section, old), self.form_data(section, new),
                      self.attached(old), self.attached(new), "", documents, found)
        return found

    def _compare(self, fields, old: dict, new: dict, old_files: dict, new_files: dict, prefix: str,
                 documents: dict, found: list[Change]) -> None:
        for item in fields:
            if isinstance(item, Repeat):
                before, after = old.get(item.name) or [], new.get(item.name) or []
                for index in range(max(len(before), len(after))):
                    where = f"{prefix}{self.row_label(item.name, index + 1)}"
                    if index >= len(before) or index >= len(after):
                        row = after[index] if index < len(after) else before[index]
                        text = ", ".join(str(row.get(f.name) or "") for f in item.group.fields[:3] if row.get(f.name))
                        found.append(Change(where, "" if index >= len(before) else text,
                                            text if index >= len(before) else ""))
                    else:
                        self._compare(item.group.fields, before[index], after[index], {}, {}, f"{where} · ",
                                      documents, found)
            elif isinstance(item, Group):
                self._compare(item.fields, old.get(item.name) or {}, new.get(item.name) or {}, {}, {},
                              f"{prefix}{item.label} · " if item.label else prefix, documents, found)
            elif item.type == "file":
                was, now = old_files.get(item.name), new_files.get(item.name)
                if was != now:
                    found.append(Change(f"{prefix}{item.label}", _document_name(documents, was),
                                        _document_name(documents, now)))
            else:
                was, now = _shown(item, old.get(item.name)), _shown(item, new.get(item.name))
                if was != now:
                    found.append(Change(f"{prefix}{item.label}", was, now))

    def field_path(self, path: tuple) -> tuple:
        """Where in the section's form a problem's answer path sits."""
        return path[1:]

    # --- the report ------------------------------------------------------------------------
    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        """The report's data for this section; rows: (code, state name, this section's answer)."""
        raise NotImplementedError

    def totals(self, payload: dict) -> dict[str, int]:
        """What this section adds to the report's summary (experts, funded, own_cost, documents)."""
        return {}

    def docx(self, writer, payload: dict, words: dict) -> None:
        """Write the section into the report document (writer: report_render.Writer)."""

    def receipt(self, writer, payload: dict, words: dict) -> None:
        """Write one member state's answer into its acknowledgement of receipt (payload: of that
        one answer): what it sent, without the report's columns of states and its figures."""
        self.docx(writer, payload, words)

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        """The section as one sheet of the workbook (and one CSV): header and rows."""
        raise NotImplementedError

    def participants(self, payload: dict, words: dict) -> list[list]:
        """Rows of the list of participants this section gives."""
        return []

    def missing(self, payload: dict) -> list[dict]:
        """What required items answering states did not send: [{"state", "items": [labels]}]."""
        return []

    def wide(self, payload: dict) -> bool:
        """Whether the section's table needs a landscape page."""
        return False

    def chart(self, payload: dict, words: dict) -> dict | None:
        """The section's chart as data (workflow/report_charts.py), if it has one; words:
        report_render.labels."""
        return None

    def chart_description(self, payload: dict, words: dict, language: str) -> str:
        """The chart in words, for its alt text."""
        return ""

    def template(self, part: str) -> str:
        return f"sections/{self.name}/{part}.html"


