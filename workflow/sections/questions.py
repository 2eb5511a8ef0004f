"""Questions: short or long text, yes or no, or one of a list of choices.

Definition: `questions`, each {key, label, type, required, choices}.
Answer: {"answers": {question_key: str}}.
"""
from __future__ import annotations

from ..checks import Problems
from ..i18n import lazy_gettext as _
from ..models import localized
from .base import LONG_TEXT, TEXT, Field, ItemList, SectionKind, Setting, text_of

QUESTION_TYPES = ("text", "textarea", "yesno", "choice")
TYPE_LABELS = {"text": _("Short text"), "textarea": _("Long text"), "yesno": _("Yes or no"),
               "choice": _("One of a list of choices")}
MAX_CHOICES = 100


def choice_value(choice) -> str:
    """What an answer stores for a choice: its text in the first language it is given in."""
    if isinstance(choice, dict):
        return str(next(iter(choice.values()), ""))
    return str(choice)


class Questions(SectionKind):
    name = "questions"
    label = _("Questions")
    fields = ("questions",)
    item_list = "questions"
    item_fields = ("key", "label", "type", "required", "choices")
    lists = (ItemList("questions", _("Questions"), _("Question"), (
        Setting("label", "translated", _("Question")),
        Setting("type", "choice", _("Kind of answer"), choices=tuple(TYPE_LABELS.items())),
        Setting("required", "flag", _("An answer is required")),
        Setting("choices", "lines", _("Choices, one per line"), _("Only for “One of a list of choices”.")),
        Setting("key", "key", _("Short name (in exports)")),
    )),)

    def new_item(self, list_name: str, number: int, language: str) -> dict:
        return {**super().new_item(list_name, number, language), "type": "text"}

    def answered_items(self, section: dict, answer: dict) -> set:
        return {key for key, text in answer.get("answers", {}).items() if text_of(text)}

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

    def problems(self, section: dict, answer: dict, add, state: str | None = None) -> None:
        answers = answer.get("answers", {})
        for question in section["questions"]:
            if question.get("required") and not text_of(answers.get(question["key"])):
                add(("answers", question["key"]), _("This question needs an answer."))

    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int,
                      state: str | None = None) -> list:
        fields = []
        for q in section["questions"]:
            label, qtype = localized(q["label"], locale), q.get("type", "text")
            if qtype == "textarea":
                fields.append(Field(q["key"], "long_text", label, LONG_TEXT))
            elif qtype == "yesno":
                fields.append(Field(q["key"], "radio", label, choices=(("yes", _("Yes")), ("no", _("No")))))
            elif qtype == "choice":
                offered = [(choice_value(c), localized(c, locale)) for c in q["choices"]]
                fields.append(Field(q["key"], "choice", label, default="", choices=(("", "—"), *offered)))
            else:
                fields.append(Field(q["key"], "text", label, TEXT))
        return fields

    def form_data(self, section: dict, answer: dict) -> dict:
        return answer.get("answers", {})

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        return {"answers": {q["key"]: posted.get(q["key"]) or "" for q in section["questions"]}}

    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        shown = {q["key"]: {choice_value(c): localized(c, language) for c in q.get("choices") or []}
                 for q in section["questions"]}
        return {"questions": [{"key": q["key"], "label": localized(q["label"], language)}
                              for q in section["questions"]],
                "rows": [{"code": code, "state": name, "answers": {
                    key: shown.get(key, {}).get(text, text) for key, text in answer.get("answers", {}).items()}}
                         for code, name, answer in rows]}

    def receipt(self, writer, payload: dict, words: dict) -> None:
        answers = [[q["label"], row["answers"].get(q["key"], "")]
                   for row in payload["rows"] for q in payload["questions"]]
        writer.table([words["question"], words["answer"]], answers, [7, 10])

    def docx(self, writer, payload: dict, words: dict) -> None:
        writer.table([words["state"], words["question"], words["answer"]],
                     [[row["state"], q["label"], row["answers"].get(q["key"], "")]
                      for row in payload["rows"] for q in payload["questions"]])

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        return ([words["state"]] + [q["label"] for q in payload["questions"]],
                [[row["state"]] + [row["answers"].get(q["key"], "") for q in payload["questions"]]
                 for row in payload["rows"]])
