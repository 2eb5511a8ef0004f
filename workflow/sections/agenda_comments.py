"""Comments on the draft agenda: general comments and one per agenda item.

Definition: `items`, each {number, title}.
Answer: {"general": str, "comments": {item_number: str}}.
"""
from __future__ import annotations

from ..i18n import lazy_gettext as _
from ..models import localized
from .base import LONG_TEXT, Field, ItemList, SectionKind, Setting, text_of


class AgendaComments(SectionKind):
    name = "agenda_comments"
    label = _("Comments on the draft agenda")
    fields = ("items",)
    item_list = "items"
    item_fields = ("number", "title")
    item_id = "number"
    item_text = "title"
    lists = (ItemList("items", _("Agenda items"), _("Agenda item"), (
        Setting("number", "whole", _("Number")),
        Setting("title", "translated", _("Agenda item")),
    )),)

    def answered_items(self, section: dict, answer: dict) -> set:
        return {int(n) for n, text in answer.get("comments", {}).items() if text_of(text) and str(n).isdigit()}

    def has_content(self, section: dict, answer: dict) -> bool:
        return bool(text_of(answer.get("general")) or self.answered_items(section, answer))

    def empty(self) -> dict:
        return {"general": "", "comments": {}}

    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int,
                      state: str | None = None) -> list:
        return [Field("general", "long_text", _("General comments on the draft agenda"), LONG_TEXT)] + [
            Field(f"item_{item['number']}", "long_text", f"{item['number']}. {localized(item['title'], locale)}",
                  LONG_TEXT) for item in section["items"]]

    def form_data(self, section: dict, answer: dict) -> dict:
        return {"general": answer.get("general", ""),
                **{f"item_{n}": text for n, text in answer.get("comments", {}).items()}}

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        comments = {str(item["number"]): text_of(posted.get(f"item_{item['number']}")) for item in section["items"]}
        return {"general": text_of(posted.get("general")), "comments": {n: t for n, t in comments.items() if t}}

    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        return {"general": [{"code": code, "state": name, "text": answer["general"]}
                            for code, name, answer in rows if answer.get("general")],
                "items": [{"number": item["number"], "title": localized(item["title"], language),
                           "comments": [{"code": code, "state": name, "text": answer["comments"][str(item["number"])]}
                                        for code, name, answer in rows
                                        if answer.get("comments", {}).get(str(item["number"]))]}
                          for item in section["items"]]}

    def receipt(self, writer, payload: dict, words: dict) -> None:
        for comment in payload["general"]:
            writer.paragraph(words["general"], bold=True)
            writer.paragraph(comment["text"])
        for item in payload["items"]:
            for comment in item["comments"]:
                writer.paragraph(f"{item['number']}. {item['title']}", bold=True)
                writer.paragraph(comment["text"])
        if not payload["general"] and not any(item["comments"] for item in payload["items"]):
            writer.paragraph(words["none"])

    def docx(self, writer, payload: dict, words: dict) -> None:
        writer.heading(words["by_item"], 3)
        if payload["general"]:
            writer.paragraph(words["general"], bold=True)
            for comment in payload["general"]:
                writer.bullet(writer.labelled(comment["state"], comment["text"]))
        for item in payload["items"]:
            writer.paragraph(f"{item['number']}. {item['title']}", bold=True)
            for comment in item["comments"]:
                writer.bullet(writer.labelled(comment["state"], comment["text"]))
            if not item["comments"]:
                writer.paragraph(words["none"])
        writer.heading(words["by_state"], 3)
        by_state: dict[str, list[str]] = {}
        for comment in payload["general"]:
            by_state.setdefault(comment["state"], []).append(writer.labelled(words["general"], comment["text"]))
        for item in payload["items"]:
            for comment in item["comments"]:
                by_state.setdefault(comment["state"], []).append(f"{item['number']}. {comment['text']}")
        for state in sorted(by_state):
            writer.paragraph(state, bold=True)
            for line in by_state[state]:
                writer.bullet(line)

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        rows = [[c["state"], words["general"], c["text"]] for c in payload["general"]]
        rows += [[c["state"], f"{item['number']}. {item['title']}", c["text"]]
                 for item in payload["items"] for c in item["comments"]]
        return [words["state"], words["by_item"], words["answer"]], rows
