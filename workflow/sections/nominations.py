"""Nominations: the governmental experts a member state will send.

Definition: `min`, `max` (experts per state) and `funded_quota` (places the secretariat pays for).
Answer: {"experts": [{name, title, institution, email, phone, role, funding}]}.
"""
from __future__ import annotations

from ..checks import Problems
from ..i18n import lazy_gettext as _
from .base import EMAIL, TEXT, Field, Group, Repeat, SectionKind, text_of

EXPERT_FIELDS = ("name", "title", "institution", "email", "phone", "role", "funding")
MAX_EXPERTS = 50
ROLE_LABELS = {
    "head_of_delegation": _("Head of delegation"),
    "delegate": _("Delegate"),
    "alternate": _("Alternate"),
    "adviser": _("Adviser"),
}
FUNDING_LABELS = {"funded": _("Funded place"), "own_cost": _("At own cost")}
COLUMNS = ("state", "name", "title", "institution", "email", "phone", "role", "funding")


def blank_expert(expert: dict) -> bool:
    return not any(text_of(expert.get(f)) for f in ("name", "title", "institution", "email", "phone"))


class Nominations(SectionKind):
    name = "nominations"
    label = _("Governmental experts (nominations)")
    fields = ("min", "max", "funded_quota")

    def check(self, section: dict, where: str, found: Problems) -> None:
        lo, hi = section.get("min", 0), section.get("max", 10)
        before = len(found)
        found.whole(f"{where}.min", lo, 0, MAX_EXPERTS, required=True)
        found.whole(f"{where}.max", hi, 1, MAX_EXPERTS, required=True)
        found.whole(f"{where}.funded_quota", section.get("funded_quota", 0), 0, MAX_EXPERTS, required=True)
        if len(found) == before and lo > hi:
            found.append(f"{where}: min ({lo}) must not be above max ({hi})")

    def empty(self) -> dict:
        return {"experts": []}

    def problems(self, section: dict, answer: dict, add) -> None:
        named = [(i, e) for i, e in enumerate(answer.get("experts", [])) if not blank_expert(e)]
        lo, hi, quota = section.get("min", 0), section.get("max", 10), section.get("funded_quota", 0)
        if len(named) < lo:
            add((), _("Nominate at least %(n)s expert(s).", n=lo))
        if len(named) > hi:
            add((), _("Nominate at most %(n)s expert(s).", n=hi))
        funded = 0
        for i, expert in named:
            if not text_of(expert.get("name")):
                add(("experts", i, "name"), _("Give the expert's full name."))
            if not text_of(expert.get("institution")):
                add(("experts", i, "institution"), _("Give the expert's institution."))
            email = text_of(expert.get("email"))
            if not email:
                add(("experts", i, "email"), _("Give an email address to reach the expert."))
            elif not EMAIL.match(email):
                add(("experts", i, "email"), _("This does not look like an email address."))
            if expert.get("funding") == "funded":
                funded += 1
                if funded > quota:
                    add(("experts", i, "funding"),
                        _("Only %(n)s funded place(s) per state; mark further experts at own cost.", n=quota))

    def compact(self, section: dict, answer: dict) -> dict:
        return {**answer, "experts": [e for e in answer.get("experts", []) if not blank_expert(e)]}

    # --- the answer form -------------------------------------------------------------------
    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int) -> list:
        expert = [
            Field("name", "text", _("Full name"), TEXT),
            Field("title", "text", _("Title or post"), TEXT),
            Field("institution", "text", _("Institution"), TEXT),
            Field("email", "email", _("Email"), 254),
            Field("phone", "text", _("Telephone"), 60),
            Field("role", "choice", _("Role in the delegation"), choices=tuple(ROLE_LABELS.items()),
                  default="delegate"),
        ]
        if section.get("funded_quota", 0):
            expert.append(Field("funding", "choice", _("Funding"), choices=tuple(FUNDING_LABELS.items()),
                                default="own_cost"))
        limit = section.get("max", 10)
        filled = len(answer.get("experts", []))
        rows = max(1, section.get("min", 0), min(limit, filled + 1 + extra_rows))
        return [Repeat("experts", Group("expert", "", tuple(expert)), rows, limit)]

    def form_data(self, section: dict, answer: dict) -> dict:
        return {"experts": answer.get("experts", [])}

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        experts = [{f: entry.get(f, "own_cost" if f == "funding" else "") for f in EXPERT_FIELDS}
                   for entry in posted.get("experts", [])]
        return {"experts": [e for e in experts if not (compact and blank_expert(e))]}

    def field_path(self, path: tuple) -> tuple:
        return path

    def role_label(self, role: str | None):
        return ROLE_LABELS.get(role or "", role or "")

    def funding_label(self, funding: str | None):
        return FUNDING_LABELS.get(funding or "own_cost", funding or "")

    # --- the report ------------------------------------------------------------------------
    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        return {"funded_quota": section.get("funded_quota", 0),
                "rows": [{"code": code, "state": name,
                          "experts": [e for e in answer.get("experts", []) if not blank_expert(e)]}
                         for code, name, answer in rows]}

    def totals(self, payload: dict) -> dict[str, int]:
        experts = [e for row in payload["rows"] for e in row["experts"]]
        funded = sum(1 for e in experts if e.get("funding") == "funded")
        return {"experts": len(experts), "funded": funded, "own_cost": len(experts) - funded}

    def participants(self, payload: dict, words: dict) -> list[list]:
        rows = []
        for row in payload["rows"]:
            for expert in row["experts"]:
                funding = words["funded"] if expert.get("funding") == "funded" else words["own_cost"]
                rows.append([row["state"], expert.get("name", ""), expert.get("title", ""),
                             expert.get("institution", ""), expert.get("email", ""), expert.get("phone", ""),
                             words.get(expert.get("role", ""), expert.get("role", "")), funding])
        return rows

    def docx(self, writer, payload: dict, words: dict) -> None:
        rows = self.participants(payload, words)
        if rows:
            writer.table([words[k] for k in COLUMNS], rows)
        else:
            writer.paragraph(words["none"])

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        return [words[k] for k in COLUMNS], self.participants(payload, words)

    def receipt_lines(self, section: dict, answer: dict) -> list[str]:
        return [", ".join(v for v in (e.get("name"), e.get("title"), e.get("institution")) if v)
                for e in answer.get("experts", [])]
