"""Experience areas: whether the state's experts would like to present experiences in each area.

Definition: `areas`, each {key, label, free_text} (free_text: the issue must then be named).
Answer: {"areas": {area_key: {"present": bool, "description": str}}}.
"""
from __future__ import annotations

from ..checks import Problems
from ..i18n import lazy_gettext as _
from ..models import localized
from .base import LONG_TEXT, Field, Group, ItemList, SectionKind, Setting, text_of


class ExperienceAreas(SectionKind):
    name = "experience_areas"
    label = _("Experiences to present, by area")
    fields = ("areas",)
    item_list = "areas"
    item_fields = ("key", "label", "free_text")
    lists = (ItemList("areas", _("Areas"), _("Area"), (
        Setting("label", "translated", _("Area")),
        Setting("free_text", "flag", _("An expert who would present must name the issue")),
        Setting("key", "key", _("Short name (in exports)")),
    )),)

    def answered_items(self, section: dict, answer: dict) -> set:
        return {key for key, chosen in answer.get("areas", {}).items()
                if isinstance(chosen, dict) and (chosen.get("present") or text_of(chosen.get("description")))}

    def check_item(self, item: dict, where: str, found: Problems) -> None:
        found.flag(f"{where}.free_text", item.get("free_text"))

    def empty(self) -> dict:
        return {"areas": {}}

    def problems(self, section: dict, answer: dict, add, state: str | None = None) -> None:
        for area in section["areas"]:
            chosen = answer.get("areas", {}).get(area["key"], {})
            if area.get("free_text") and chosen.get("present") and not text_of(chosen.get("description")):
                add(("areas", area["key"], "description"), _("Say which issue the expert would present."))

    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int,
                      state: str | None = None) -> list:
        return [Group(area["key"], localized(area["label"], locale), (
            Field("present", "check", _("The expert would like to present on this")),
            Field("description", "long_text",
                  _("Which issue?") if area.get("free_text") else _("Short description (optional)"), LONG_TEXT),
        )) for area in section["areas"]]

    def form_data(self, section: dict, answer: dict) -> dict:
        return answer.get("areas", {})

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        return {"areas": {area["key"]: {"present": bool(posted[area["key"]]["present"]),
                                        "description": text_of(posted[area["key"]]["description"])}
                          for area in section["areas"]}}

    def _chosen(self, answer: dict, key: str) -> dict:
        chosen = answer.get("areas", {}).get(key, {})
        return {"present": bool(chosen.get("present")), "description": chosen.get("description", "")}

    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        return {"areas": [{"key": a["key"], "label": localized(a["label"], language)} for a in section["areas"]],
                "rows": [{"code": code, "state": name,
                          "areas": {a["key"]: self._chosen(answer, a["key"]) for a in section["areas"]}}
                         for code, name, answer in rows]}

    def docx(self, writer, payload: dict, words: dict) -> None:
        areas, rows = payload["areas"], payload["rows"]
        for index, area in enumerate(areas, start=1):
            writer.paragraph(f"{index}. {area['label']}")
        writer.table([words["state"]] + [str(i) for i in range(1, len(areas) + 1)],
                     [[row["state"]] + ["✓" if row["areas"][a["key"]]["present"] else "" for a in areas]
                      for row in rows],
                     shaded={(r, c) for r, row in enumerate(rows, start=1)
                             for c, a in enumerate(areas, start=1) if row["areas"][a["key"]]["present"]})
        chart = self.chart(payload, words) if rows else None
        if chart:
            writer.chart(chart, self.chart_description(payload, words, writer.language))
        described = [[row["state"], area["label"], row["areas"][area["key"]]["description"]]
                     for row in rows for area in areas
                     if row["areas"][area["key"]]["present"] and row["areas"][area["key"]]["description"]]
        if described:
            writer.table([words["state"], words["areas_key"], words["description"]], described, [4, 6, 7])

    def receipt(self, writer, payload: dict, words: dict) -> None:
        for row in payload["rows"]:
            for area in payload["areas"]:
                answer = row["areas"][area["key"]]
                said = writer.labelled(words["yes"] if answer["present"] else words["no"], area["label"])
                described = answer["present"] and answer["description"]
                writer.bullet(f"{said} — {answer['description']}" if described else said)

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        areas = payload["areas"]
        header = [words["state"]] + [a["label"] for a in areas] + [
            f"{a['label']} — {words['description']}" for a in areas]
        return header, [[row["state"]] + [words["yes"] if row["areas"][a["key"]]["present"] else "" for a in areas]
                        + [row["areas"][a["key"]]["description"] for a in areas] for row in payload["rows"]]

    def chart(self, payload: dict, words: dict) -> dict | None:
        from .. import report_charts

        return report_charts.areas(payload, words) if payload["areas"] else None

    def chart_description(self, payload: dict, words: dict, language: str) -> str:
        from .. import report_charts

        return report_charts.areas_description(payload, words, language)
