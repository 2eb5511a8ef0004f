"""The answer form, built from a call's sections (data, not code): one sub-form per section, its
fields as the section's kind describes them (workflow/sections: Field, Group, Repeat).

`build(call, locale, content)` gives a form bound to the request (or to stored content);
`to_content(form, call, previous)` turns what was posted back into the stored shape the kinds
describe. Blank repeated rows are kept while the page is shown (so error positions match) and
dropped when stored.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import fields
from threading import Lock

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
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
from workflow.i18n import EscapedLazyString
from workflow.i18n import lazy_gettext as _l
from workflow.models import localized
from workflow.sections import Field, Group, Problem, Repeat, kind_of
from workflow.submissions import PROVENANCE_LABELS, PROVENANCES


def _field(spec: Field):
    """A web form field for one of a kind's fields."""
    limit = [MaxLength(spec.max_length)] if spec.max_length else []
    kwargs = {"render_kw": spec.attrs} if spec.attrs else {}
    if spec.type == "text":
        return StringField(spec.label, validators=limit, **kwargs)
    if spec.type == "long_text":
        return TextAreaField(spec.label, validators=limit, **kwargs)
    if spec.type == "email":
        return EmailField(spec.label, validators=[Optional(), *limit,
                                                  Email(_l("This does not look like an email address."))])
    if spec.type == "choice":
        return SelectField(spec.label, choices=list(spec.choices), default=spec.default,
                           validate_choice=False, validators=[Offered()])
    if spec.type == "radio":
        return RadioField(spec.label, choices=list(spec.choices), default=spec.default,
                          validate_choice=False, validators=[Offered()])
    if spec.type == "check":
        return BooleanField(spec.label)
    if spec.type == "file":
        return FileField(spec.label, **kwargs)
    raise ValueError(f"unknown field type {spec.type}")


def _form_class(name: str, specs) -> type[Form]:
    attrs = {}
    for spec in specs:
        if isinstance(spec, Repeat):
            attrs[spec.name] = FieldList(FormField(_form_class(spec.group.name, spec.group.fields)),
                                         min_entries=spec.rows, max_entries=spec.limit)
        elif isinstance(spec, Group):
            attrs[spec.name] = FormField(_form_class(spec.name, spec.fields), label=spec.label)
        else:
            attrs[spec.name] = _field(spec)
    return type(f"Section_{name}", (Form,), attrs)


# Form classes by the shape they describe (the sections' fields as the kinds give them, with their
# labels, limits and rows). A class is built once, and its first form works out the order of its
# fields; doing both for every page and every post was two thirds of the answer form's cost.
_CLASSES: OrderedDict[tuple, type] = OrderedDict()
_CLASSES_LOCK = Lock()  # a threaded server's requests share the classes
CLASSES_KEPT = 256  # beyond this the least recently used go (calls edited, rows added, languages)


def _class_for(key: tuple, make: Callable[[], type]) -> type:
    try:
        hash(key)
    except TypeError:  # a shape that cannot be told apart from others is built afresh
        return make()
    with _CLASSES_LOCK:
        made = _CLASSES.get(key)
        if made is not None:
            _CLASSES.move_to_end(key)
            return made
    made = make()
    with _CLASSES_LOCK:
        _CLASSES[key] = made
        while len(_CLASSES) > CLASSES_KEPT:
            _CLASSES.popitem(last=False)
    return made


def _on_behalf_fields() -> dict:
    """What the secretariat adds when it enters an answer received otherwise."""
    return {
        "provenance": SelectField(_l("Received by"), choices=[
            (p, PROVENANCE_LABELS[p]) for p in PROVENANCES if p != "portal"], default="email"),
        "provenance_note": StringField(
            _l("Reference (e.g. the note verbale's number)"), validators=[MaxLength(1000)]),
        "received_on": DateTimeLocalField(
            _l("Received on (date and time, in the call's time zone)"), format="%Y-%m-%dT%H:%M",
            validators=[Optional()],
            description=_l("The day the secretariat received it decides whether it was on time.")),
        "original": FileField(_l("Scanned original (optional)"),
                              description=_l("PDF or image of the note or fax as received.")),
    }


def _answer_class(shape: tuple, on_behalf: bool) -> type:
    """The form class for `shape`: (key, title, specs) of each section."""
    def make():
        attrs = {"lock_version": HiddenField()}
        for key, title, specs in shape:
            attrs[key] = FormField(_form_class(key, specs), label=title)
        return type("AnswerForm", (FlaskForm,), attrs | (_on_behalf_fields() if on_behalf else {}))

    return _class_for((_shape_key(shape), on_behalf), make)


def _shape_key(value):
    """What a shape says, as a key: a label translated when shown stands for its message (the
    class is the same in every language), one already in the reader's language for its text."""
    if isinstance(value, EscapedLazyString):
        return value.message
    if isinstance(value, Field | Group | Repeat):
        return (type(value).__name__, *(_shape_key(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, tuple | list):
        return tuple(_shape_key(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _shape_key(v)) for k, v in value.items())
    return value


def build(call, locale: str, content: dict, *, posted: bool = False, on_behalf: bool = False,
          extra_rows: dict | None = None, state: str | None = None):
    """The answer form for `call`: bound to the request when `posted`, else filled from `content`."""
    shape = tuple(
        (section["key"], localized(section["title"], locale),
         tuple(kind_of(section).answer_fields(section, locale, content.get(section["key"], {}),
                                              (extra_rows or {}).get(section["key"], 0), state)))
        for section in call.sections)
    form_class = _answer_class(shape, on_behalf)
    if posted:
        form = form_class()  # Flask-WTF binds request.form and request.files
    else:
        form = form_class(formdata=None, data={s["key"]: kind_of(s).form_data(s, content.get(s["key"], {}))
                                               for s in call.sections})
    form.call_sections = call.sections
    return form


def _posted(field):
    """A field's posted value as stored: a choice only if it is one offered, text stripped,
    groups and rows as dicts and lists."""
    if isinstance(field, FormField):
        return {name: _posted(sub) for name, sub in field.form._fields.items()}
    if isinstance(field, FieldList):
        return [_posted(entry) for entry in field.entries]
    if isinstance(field, SelectField | RadioField):
        return offered_value(field) or (field.default or "")
    if isinstance(field, BooleanField):
        return bool(field.data)
    if isinstance(field, FileField):
        return None  # uploads are stored on their own (views/answering.py)
    return (field.data or "").strip()


def to_content(form, call, previous: dict, *, compact: bool) -> dict:
    """What was posted, as stored content. Document ids are carried over from `previous`."""
    return {s["key"]: kind_of(s).from_form(s, _posted(form[s["key"]]), previous.get(s["key"], {}), compact=compact)
            for s in call.sections}


def field_at(form, problem: Problem):
    """The form field a problem belongs to (the section's own field for section-wide ones)."""
    field = form[problem.section]
    section = next(s for s in form.call_sections if s["key"] == problem.section)
    for step in kind_of(section).field_path(problem.path):
        if isinstance(field, FieldList):
            if not isinstance(step, int) or step >= len(field.entries):
                break
            field = field.entries[step]
        else:
            field = field[step]
    return field


def problem_list(form) -> list[tuple[str, str, str]]:
    """Every problem on the form as (id of the field to go to, its label, the message), in the
    order of the page: what the error summary lists, each a link to its field."""
    found: list[tuple[str, str, str]] = []
    section_errors = getattr(form, "section_errors", {})

    def walk(field, context: str):
        if isinstance(field, FormField):
            for sub in field.form:
                walk(sub, context or str(field.label.text))
        elif isinstance(field, FieldList):  # its own limit is reported as a section-wide problem
            for entry in field.entries:
                walk(entry, context)
        else:
            label = str(field.label.text)
            where = f"{context} · {label}" if context and context != label else label
            found.extend((field.id, where, str(message)) for message in field.errors)

    for name, field in form._fields.items():
        if name in ("csrf_token", "lock_version"):
            continue
        for message in section_errors.get(name, []):
            found.append((f"section-{name}", str(field.label.text), str(message)))
        walk(field, "" if not isinstance(field, FormField) else str(field.label.text))
    return found


def rows_beyond_limit(form, posted) -> bool:
    """Whether the post holds more rows of a repeated group than the section allows (a crafted
    request: the page never offers more). Such a post is refused, never cut short silently."""
    for section in form.call_sections:
        sub = form[section["key"]]
        for field in sub.form:
            if isinstance(field, FieldList) and field.max_entries:
                prefix = f"{field.id}-"
                indices = {key[len(prefix):].split("-", 1)[0] for key in posted if key.startswith(prefix)}
                if sum(1 for i in indices if i.isdigit()) > field.max_entries:
                    form.section_errors = getattr(form, "section_errors", {})
                    form.section_errors.setdefault(section["key"], []).append(
                        _l("At most %(n)s are allowed here.", n=field.max_entries))
                    return True
    return False


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
