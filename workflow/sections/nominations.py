"""Nominations: the governmental experts a member state will send.

Definition: `min`, `max` (experts per state), `funded_quota` (places the secretariat pays for),
`roles` (the roles offered, all when absent) and `overrides`: other figures for named states, e.g.
`[{state: TT, max: 8, funded_quota: 4}]` for a host state sending a larger group.
Answer: {"experts": [{name, title, institution, email, phone, role, funding}]}.
"""
from __future__ import annotations

from ..checks import Problems
from ..i18n import lazy_gettext as _
from ..i18n import lazy_ngettext
from .base import EMAIL, TEXT, Field, Group, ItemList, Repeat, SectionKind, Setting, text_of

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
FIGURES = ("min", "max", "funded_quota")
# The receipt's table of experts on an A4 page (17 cm of text): the address gets its own width.
RECEIPT_WIDTH_CM, EMAIL_CM = 17.0, 4.2
RECEIPT_SHARES = {"name": 3.0, "title": 2.4, "institution": 2.8, "phone": 2.3, "role": 2.3, "funding": 2.0}
DEFAULTS = {"min": 0, "max": 10, "funded_quota": 0}


def blank_expert(expert: dict) -> bool:
    return not any(text_of(expert.get(f)) for f in ("name", "title", "institution", "email", "phone"))


class Nominations(SectionKind):
    name = "nominations"
    label = _("Governmental experts (nominations)")

    settings = (
        Setting("min", "whole", _("Fewest experts a state may nominate")),
        Setting("max", "whole", _("Most experts a state may nominate")),
        Setting("funded_quota", "whole", _("Funded places per state"),
                _("Places the secretariat pays for; 0 when every expert attends at the state's own cost.")),
        Setting("roles", "choices", _("Roles offered"), _("None ticked: every role is offered."),
                tuple(ROLE_LABELS.items())),
    )
    lists = (ItemList("overrides", _("Other figures for named member states"), _("Member state"), (
        Setting("state", "state", _("Member state")),
        Setting("min", "whole", _("Fewest experts")),
        Setting("max", "whole", _("Most experts")),
        Setting("funded_quota", "whole", _("Funded places")),
    ), required=False),)
    fields = ("min", "max", "funded_quota", "roles", "overrides")

    def check(self, section: dict, where: str, found: Problems) -> None:
        self._check_figures(section, where, found, required=True)
        roles = section.get("roles")
        if roles is not None and (not isinstance(roles, list) or not roles
                                  or any(r not in ROLE_LABELS for r in roles)):
            found.append(f"{where}.roles: a list of {', '.join(ROLE_LABELS)}")
        seen = set()
        for item_where, item in found.items(f"{where}.overrides", section.get("overrides", []), required=False):
            found.mapping(item_where, item, ("state", *FIGURES))
            code = item.get("state")
            if not isinstance(code, str) or not code.isascii() or not code.isalpha() or len(code) != 2:
                found.append(f"{item_where}.state: a two-letter ISO state code")
            elif code.upper() in seen:
                found.append(f"{item_where}.state: {code} appears twice")
            else:
                seen.add(code.upper())
            self._check_figures({**section, **item}, item_where, found, required=False)

    def _check_figures(self, figures: dict, where: str, found: Problems, *, required: bool) -> None:
        lo, hi = figures.get("min", 0), figures.get("max", 10)
        before = len(found)
        found.whole(f"{where}.min", lo, 0, MAX_EXPERTS, required=required)
        found.whole(f"{where}.max", hi, 1, MAX_EXPERTS, required=required)
        found.whole(f"{where}.funded_quota", figures.get("funded_quota", 0), 0, MAX_EXPERTS, required=required)
        if len(found) == before and lo > hi:
            found.append(f"{where}: min ({lo}) must not be above max ({hi})")

    def limits(self, section: dict, state: str | None) -> dict[str, int]:
        """The figures for one member state: its own where the call names it, else the call's."""
        figures = {name: section.get(name, DEFAULTS[name]) for name in FIGURES}
        for item in section.get("overrides") or []:
            if state and str(item.get("state", "")).upper() == state.upper():
                figures.update({name: item[name] for name in FIGURES if name in item})
        return figures

    def new_section(self, key: str, language: str) -> dict:
        return {"key": key, "kind": self.name, "title": {language: str(self.label)}, "min": 1, "max": 5,
                "funded_quota": 0}

    def new_item(self, list_name: str, number: int, language: str) -> dict:
        return {"state": ""}

    def empty(self) -> dict:
        return {"experts": []}

    def problems(self, section: dict, answer: dict, add, state: str | None = None) -> None:
        named = [(i, e) for i, e in enumerate(answer.get("experts", [])) if not blank_expert(e)]
        figures = self.limits(section, state)
        lo, hi, quota = figures["min"], figures["max"], figures["funded_quota"]
        if len(named) < lo:
            add((), lazy_ngettext("Nominate at least %(num)d expert.", "Nominate at least %(num)d experts.", lo))
        if len(named) > hi:
            add((), lazy_ngettext("Nominate at most %(num)d expert.", "Nominate at most %(num)d experts.", hi))
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
                        lazy_ngettext("Only %(num)d funded place for this member state; mark further experts "
                                      "at own cost.", "Only %(num)d funded places for this member state; mark "
                                      "further experts at own cost.", quota))

    def compact(self, section: dict, answer: dict) -> dict:
        return {**answer, "experts": [e for e in answer.get("experts", []) if not blank_expert(e)]}

    # --- the answer form -------------------------------------------------------------------
    def has_content(self, section: dict, answer: dict) -> bool:
        return any(not blank_expert(e) for e in answer.get("experts", []))

    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int,
                      state: str | None = None) -> list:
        figures = self.limits(section, state)
        roles = [(r, label) for r, label in ROLE_LABELS.items() if r in (section.get("roles") or ROLE_LABELS)]
        expert = [
            Field("name", "text", _("Full name"), TEXT),
            Field("title", "text", _("Title or post"), TEXT),
            Field("institution", "text", _("Institution"), TEXT),
            Field("email", "email", _("Email"), 254),
            Field("phone", "text", _("Telephone"), 60),
            Field("role", "choice", _("Role in the delegation"), choices=tuple(roles),
                  default="delegate" if any(r == "delegate" for r, _label in roles) else roles[0][0]),
        ]
        if figures["funded_quota"]:
            expert.append(Field("funding", "choice", _("Funding"), choices=tuple(FUNDING_LABELS.items()),
                                default="own_cost"))
        limit = figures["max"]
        filled = len(answer.get("experts", []))
        rows = max(1, figures["min"], min(limit, filled + extra_rows))
        return [Repeat("experts", Group("expert", "", tuple(expert)), rows, limit)]

    def form_data(self, section: dict, answer: dict) -> dict:
        return {"experts": answer.get("experts", [])}

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        experts = [{f: entry.get(f, "own_cost" if f == "funding" else "") for f in EXPERT_FIELDS}
                   for entry in posted.get("experts", [])]
        return {"experts": [e for e in experts if not (compact and blank_expert(e))]}

    def people(self, answer: dict) -> list[dict]:
        return [e for e in answer.get("experts", []) if isinstance(e, dict) and text_of(e.get("name"))]

    def fill_entry(self, section: dict, answer: dict, index: int, details: dict, state: str | None) -> bool:
        """The expert of row `index` becomes the one picked from the roster (their role and funding
        in this call stay as chosen); rows up to it are added when the form had fewer."""
        experts = answer.setdefault("experts", [])
        if not 0 <= index < self.limits(section, state)["max"]:
            return False
        offered = section.get("roles") or list(ROLE_LABELS)
        while len(experts) <= index:
            experts.append({f: "own_cost" if f == "funding" else "" for f in EXPERT_FIELDS}
                           | {"role": "delegate" if "delegate" in offered else offered[0]})
        experts[index].update({f: details.get(f, "") for f in ("name", "title", "institution", "email", "phone")})
        return True

    def row_label(self, name: str, number: int) -> str:
        return str(_("Expert %(n)s", n=number))

    def field_path(self, path: tuple) -> tuple:
        return path

    def role_label(self, role: str | None):
        return ROLE_LABELS.get(role or "", role or "")

    def funding_label(self, funding: str | None):
        return FUNDING_LABELS.get(funding or "own_cost", funding or "")

    # --- the report ------------------------------------------------------------------------
    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        return {"funded_quota": section.get("funded_quota", 0),
                "funds": any(self.limits(section, code)["funded_quota"] for code, _name, _answer in rows)
                or bool(section.get("funded_quota", 0)),
                "rows": [{"code": code, "state": name, "places": self.limits(section, code)["funded_quota"],
                          "experts": [e for e in answer.get("experts", []) if not blank_expert(e)]}
                         for code, name, answer in rows]}

    def totals(self, payload: dict) -> dict[str, int]:
        experts = [e for row in payload["rows"] for e in row["experts"]]
        funded = sum(1 for e in experts if e.get("funding") == "funded")
        return {"experts": len(experts), "funded": funded, "own_cost": len(experts) - funded}

    def columns(self, payload: dict) -> tuple[str, ...]:
        """The list's columns: funding only where the call funds places."""
        return COLUMNS if payload.get("funds") else tuple(c for c in COLUMNS if c != "funding")

    def wide(self, payload: dict) -> bool:
        return len(self.columns(payload)) >= 7

    def participants(self, payload: dict, words: dict) -> list[list]:
        rows, funds = [], payload.get("funds")
        for row in payload["rows"]:
            for expert in row["experts"]:
                cells = [row["state"], expert.get("name", ""), expert.get("title", ""),
                         expert.get("institution", ""), expert.get("email", ""), expert.get("phone", ""),
                         words.get(expert.get("role", ""), expert.get("role", ""))]
                if funds:
                    cells.append(words["funded_place"] if expert.get("funding") == "funded" else words["own_cost"])
                rows.append(cells)
        return rows

    def receipt(self, writer, payload: dict, words: dict) -> None:
        """One state's experts on an upright page: the address column wide enough for an address
        (up to some 23 characters, which cannot wrap), the others sharing what is left."""
        rows = self.participants(payload, words)
        if not rows:
            writer.paragraph(words["none"])
            return
        columns = self.columns(payload)[1:]
        rest = (RECEIPT_WIDTH_CM - EMAIL_CM) / sum(RECEIPT_SHARES[c] for c in columns if c != "email")
        widths = [EMAIL_CM if c == "email" else round(RECEIPT_SHARES[c] * rest, 2) for c in columns]
        writer.table([words[k] for k in columns], [row[1:] for row in rows], widths)

    def own_figures(self, payload: dict) -> list[list]:
        """States whose funded places differ from the call's: state, nominated, funded, places."""
        if not payload.get("funds"):
            return []
        return [[row["state"], len(row["experts"]), sum(1 for e in row["experts"] if e.get("funding") == "funded"),
                 row.get("places", payload["funded_quota"])] for row in payload["rows"]
                if row.get("places", payload["funded_quota"]) != payload["funded_quota"]]

    def docx(self, writer, payload: dict, words: dict) -> None:
        rows = self.participants(payload, words)
        if rows:
            writer.table([words[k] for k in self.columns(payload)], rows)
        else:
            writer.paragraph(words["none"])
        own = self.own_figures(payload)
        if own:
            writer.heading(words["places_by_state"], 3)
            writer.table([words["state"], words["nominated"], words["funded"], words["places"]], own)

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        return [words[k] for k in self.columns(payload)], self.participants(payload, words)
