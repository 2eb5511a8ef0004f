"""Questions: short or long text, yes or no, or one of a list of choices.

Definition: `questions`, each {key, label, type, required, choices}.
Answer: {"answers": {question_key: str}}.
"""
from __future__ import annotations

from ..checks import Problems
from ..i18n import lazy_gettext as _
from ..models import localized
from .base import LONG_TEXT, TEXT, Field, SectionKind, text_of

QUESTION_TYPES = ("text", "textarea", "yesno", "choice")
MAX_CHOICES = 100


class Questions(SectionKind):
    name = "questions"
    label = _("Questions")
    fields = ("questions",)
    item_list = "questions"
    item_fields = ("key", "label", "type", "required", "choices")

    def check_item(self, item: dict, where: str, found: Problems) -> None:
        found.flag(f"{where}.required", item.get("required"))
        found.one_of(f"{where}.type", item.get("type"), QUESTION_TYPES)
        choices = item.get("choices")
        if item.get("type") == "choice" or choices is not None:
            if not isinstance(choices, list) or not choices or len(choices) > MAX_CHOICES:
                found.append(f"{where}.choices: a non-empty list (at most {MAX_CHOICES})")
            else:
                for index, choice in enumerate(choices):
                    found.translated(f"{where}.choices[{index}]", choice, required=True, limit=200)

    def empty(self) -> dict:
        return {"answers": {}}

    def problems(self, section: dict, answer: dict, add) -> None:
        answers = answer.get("answers", {})
        for question in section["questions"]:
            if question.get("required") and not text_of(answers.get(question["key"])):
                add(("answers", question["key"]), _("This question needs an answer."))

    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int) -> list:
        fields = []
        for q in section["questions"]:
            label, qtype = localized(q["label"], locale), q.get("type", "text")
            if qtype == "textarea":
                fields.append(Field(q["key"], "long_text", label, LONG_TEXT))
            elif qtype == "yesno":
                fields.append(Field(q["key"], "radio", label, choices=(("yes", _("Yes")), ("no", _("No")))))
            elif qtype == "choice":
                offered = [(str(c), localized(c, locale) if isinstance(c, dict) else str(c)) for c in q["choices"]]
                fields.append(Field(q["key"], "choice", label, default="", choices=(("", "—"), *offered)))
            else:
                fields.append(Field(q["key"], "text", label, TEXT))
        return fields

    def form_data(self, section: dict, answer: dict) -> dict:
        return answer.get("answers", {})

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        return {"answers": {q["key"]: posted.get(q["key"]) or "" for q in section["questions"]}}

    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        return {"questions": [{"key": q["key"], "label": localized(q["label"], language)}
                              for q in section["questions"]],
                "rows": [{"code": code, "state": name, "answers": answer.get("answers", {})}
                         for code, name, answer in rows]}

    def docx(self, writer, payload: dict, words: dict) -> None:
        writer.table([words["state"], words["question"], words["answer"]],
                     [[row["state"], q["label"], row["answers"].get(q["key"], "")]
                      for row in payload["rows"] for q in payload["questions"]])

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        return ([words["state"]] + [q["label"] for q in payload["questions"]],
                [[row["state"]] + [row["answers"].get(q["key"], "") for q in payload["questions"]]
                 for row in payload["rows"]])
