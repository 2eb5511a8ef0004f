"""The answer form, built from a call's sections (data, not code): one sub-form per section.

`build(call, locale, content)` gives a form bound to the request (or to stored content);
`to_content(form, call, previous)` turns what was posted back into the stored shape described in
workflow/sections.py. Blank expert rows are kept while the page is shown (so error positions
match) and dropped when stored.
"""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, Optional

from forms.base import Form as FlaskForm
from forms.base import MaxLength, Offered, offered_value
from forms.base import SubForm as Form
from workflow import documents
from workflow.i18n import lazy_gettext as _l
from workflow.models import localized
from workflow.sections import EXPERT_FIELDS, Problem, blank_expert
from workflow.submissions import PROVENANCES

ROLE_LABELS = {
    "head_of_delegation": _l("Head of delegation"),
    "delegate": _l("Delegate"),
    "alternate": _l("Alternate"),
    "adviser": _l("Adviser"),
}
FUNDING_LABELS = {"funded": _l("Funded place"), "own_cost": _l("At own cost")}
PROVENANCE_LABELS = {"email": _l("Email"), "fax": _l("Fax"), "post": _l("Note verbale by post"),
                     "hand": _l("Delivered by hand"), "portal": _l("Portal")}
TEXT = 200
LONG_TEXT = 5000


def _expert_form(section: dict) -> type[Form]:
    class ExpertForm(Form):
        name = StringField(_l("Full name"), validators=[MaxLength(TEXT)])
        title = StringField(_l("Title or post"), validators=[MaxLength(TEXT)])
        institution = StringField(_l("Institution"), validators=[MaxLength(TEXT)])
        email = EmailField(_l("Email"), validators=[
            Optional(), MaxLength(254), Email(_l("This does not look like an email address."))])
        phone = StringField(_l("Telephone"), validators=[MaxLength(60)])
        role = SelectField(_l("Role in the delegation"), choices=list(ROLE_LABELS.items()),
                           default="delegate", validate_choice=False, validators=[Offered()])
        if section.get("funded_quota", 0):
            funding = SelectField(_l("Funding"), choices=list(FUNDING_LABELS.items()),
                                  default="own_cost", validate_choice=False, validators=[Offered()])

    return ExpertForm


def _section_form(section: dict, locale: str, rows: int) -> type[Form]:
    kind = section["kind"]
    attrs: dict = {}
    if kind == "nominations":
        attrs["experts"] = FieldList(FormField(_expert_form(section)), min_entries=rows,
                                     max_entries=section.get("max", 10))
    elif kind == "experience_areas":
        for area in section["areas"]:
            class AreaForm(Form):
                present = BooleanField(_l("The expert would like to present on this"))
                description = TextAreaField(
                    _l("Which issue?") if area.get("free_text") else _l("Short description (optional)"),
                    validators=[MaxLength(LONG_TEXT)])
            attrs[area["key"]] = FormField(AreaForm, label=localized(area["label"], locale))
    elif kind == "agenda_comments":
        attrs["general"] = TextAreaField(_l("General comments on the draft agenda"),
                                         validators=[MaxLength(LONG_TEXT)])
        for item in section["items"]:
            label = f"{item['number']}. {localized(item['title'], locale)}"
            attrs[f"item_{item['number']}"] = TextAreaField(label, validators=[MaxLength(LONG_TEXT)])
    elif kind == "documents":
        for slot in section["documents"]:
            limit, types = documents.limit_mb(slot), documents.allowed_types(slot)
            attrs[slot["key"]] = FileField(localized(slot["label"], locale), render_kw={
                "data-max-bytes": limit * 1024 * 1024, "data-max-mb": limit,
                "data-types": ", ".join(types).upper(), "accept": ",".join(f".{t}" for t in types),
                "data-too-large": _l("This file is larger than %(n)s MB, so it was not added. Choose a "
                                     "smaller file; everything else you typed is still here.", n=limit)})
            attrs[f"remove_{slot['key']}"] = BooleanField(_l("Remove this document"))
    elif kind == "questions":
        for q in section["questions"]:
            label, qtype = localized(q["label"], locale), q.get("type", "text")
            if qtype == "textarea":
                attrs[q["key"]] = TextAreaField(label, validators=[MaxLength(LONG_TEXT)])
            elif qtype == "yesno":
                attrs[q["key"]] = RadioField(label, choices=[("yes", _l("Yes")), ("no", _l("No"))],
                                             validate_choice=False, validators=[Offered()])
            elif qtype == "choice":
                attrs[q["key"]] = SelectField(label, choices=[("", "—")] + [
                    (str(c), localized(c, locale) if isinstance(c, dict) else str(c)) for c in q["choices"]],
                    validate_choice=False, validators=[Offered()])
            else:
                attrs[q["key"]] = StringField(label, validators=[MaxLength(TEXT)])
    return type(f"Section_{section['key']}", (Form,), attrs)


def _rows(section: dict, stored: dict, extra: int) -> int:
    filled = len(stored.get("experts", []))
    return max(1, section.get("min", 0), min(section.get("max", 10), filled + 1 + extra))


def _data(call, content: dict) -> dict:
    """Stored content in the shape the form's fields expect."""
    data = {}
    for section in call.sections:
        answer, kind, key = content.get(section["key"], {}), section["kind"], section["key"]
        if kind == "nominations":
            data[key] = {"experts": answer.get("experts", [])}
        elif kind == "experience_areas":
            data[key] = answer.get("areas", {})
        elif kind == "agenda_comments":
            data[key] = {"general": answer.get("general", ""),
                         **{f"item_{n}": text for n, text in answer.get("comments", {}).items()}}
        elif kind == "questions":
            data[key] = answer.get("answers", {})
    return data


def build(call, locale: str, content: dict, *, posted: bool = False, on_behalf: bool = False,
          extra_rows: dict | None = None):
    """The answer form for `call`: bound to the request when `posted`, else filled from `content`."""
    attrs = {"lock_version": HiddenField()}
    for section in call.sections:
        form_class = _section_form(section, locale, _rows(section, content.get(section["key"], {}),
                                                          (extra_rows or {}).get(section["key"], 0)))
        attrs[section["key"]] = FormField(form_class, label=localized(section["title"], locale))
    if on_behalf:
        attrs["provenance"] = SelectField(_l("Received by"), choices=[
            (p, PROVENANCE_LABELS[p]) for p in PROVENANCES if p != "portal"], default="email")
        attrs["provenance_note"] = TextAreaField(
            _l("Note on how it was received (e.g. note verbale number, date)"),
            validators=[MaxLength(1000)])
    form_class = type("AnswerForm", (FlaskForm,), attrs)
    if posted:
        return form_class()  # Flask-WTF binds request.form and request.files
    return form_class(formdata=None, data=_data(call, content))


def _posted(field) -> str:
    """A field's posted value as stored: a choice only if it is one offered, text stripped."""
    if isinstance(field, SelectField | RadioField):
        return offered_value(field) or (field.default or "")
    return (field.data or "").strip()


def to_content(form, call, previous: dict, *, compact: bool) -> dict:
    """What was posted, as stored content. Document ids are carried over from `previous`."""
    content = {}
    for section in call.sections:
        key, kind, sub = section["key"], section["kind"], form[section["key"]]
        if kind == "nominations":
            experts = [{f: _posted(entry.form[f]) if f in entry.form else "own_cost"
                        for f in EXPERT_FIELDS} for entry in sub.experts]
            content[key] = {"experts": [e for e in experts if not (compact and blank_expert(e))]}
        elif kind == "experience_areas":
            content[key] = {"areas": {
                area["key"]: {"present": bool(sub[area["key"]]["present"].data),
                              "description": (sub[area["key"]]["description"].data or "").strip()}
                for area in section["areas"]}}
        elif kind == "agenda_comments":
            content[key] = {"general": (sub.general.data or "").strip(), "comments": {
                str(i["number"]): (sub[f"item_{i['number']}"].data or "").strip() for i in section["items"]
                if (sub[f"item_{i['number']}"].data or "").strip()}}
        elif kind == "documents":
            files = dict(previous.get(key, {}).get("files", {}))
            for slot in section["documents"]:
                if sub[f"remove_{slot['key']}"].data:
                    files.pop(slot["key"], None)
            content[key] = {"files": files}
        elif kind == "questions":
            content[key] = {"answers": {q["key"]: _posted(sub[q["key"]]) for q in section["questions"]}}
    return content


def field_at(form, problem: Problem):
    """The form field a problem belongs to (the section's own field for section-wide ones)."""
    field = form[problem.section]
    path = problem.path
    if path[:1] == ("experts",):
        field = field.experts
        if len(path) > 1:
            field = field.entries[path[1]].form[path[2]] if path[1] < len(field.entries) else field
    elif path[:1] in (("areas",), ("files",), ("answers",)):
        field = field[path[1]]
        if len(path) > 2:
            field = field[path[2]]
    return field


def attach(form, found: list[Problem]) -> None:
    """Put each problem next to its field; section-wide ones go to `form.section_errors`."""
    form.section_errors = getattr(form, "section_errors", {})
    for problem in found:
        if not problem.path:
            form.section_errors.setdefault(problem.section, []).append(problem.message)
            continue
        field = field_at(form, problem)
        field.errors = list(field.errors)
        if str(problem.message) not in [str(e) for e in field.errors]:
            field.errors.append(problem.message)
