"""Every form passes what people type through the one text normaliser (workflow/text.py): NFC, no
control or XML-forbidden characters, and no line breaks in one-line fields. A stray NUL from a
pasted document would otherwise be refused by PostgreSQL, and a U+FFFF would break every document
the answer later appears in."""
from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, TextAreaField
from wtforms import Form as PlainForm
from wtforms.i18n import messages_path
from wtforms.meta import DefaultMeta
from wtforms.validators import Length, ValidationError

from workflow.i18n import lazy_gettext as _l
from workflow.text import clean, clean_line


class _CleanMeta:
    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, (FormField, FieldList)):
            return super().bind_field(form, unbound_field, options)
        normalise = clean if issubclass(unbound_field.field_class, TextAreaField) else clean_line
        filters = (normalise, *unbound_field.kwargs.get("filters", ()))
        return unbound_field.bind(form=form, filters=filters, **options)


@lru_cache(maxsize=16)
def _wtforms_messages(locale: str) -> support.Translations:
    """WTForms' own messages in one language, read once a process (Flask-WTF reads the catalog
    from disk again for every request)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """A Flask-WTF form (CSRF) whose text is cleaned."""

    class Meta(_CleanMeta, FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_messages(str(get_locale()))


class ConfirmForm(Form):
    """A form with nothing but its CSRF token: a button that changes something (sign out, accept,
    send again, invite, remind)."""


class SubForm(PlainForm):
    """A nested form (no CSRF of its own) whose text is cleaned."""

    class Meta(_CleanMeta, DefaultMeta):
        pass


def offered_value(field):
    """The choice posted in a select or radio field if it is one the field offers, else None."""
    return field.data if field.data in {str(value) for value, *_ in field.choices} else None


class Offered:
    """A choice must be one of those offered (a crafted post cannot store "=1+1" as a language)."""

    def __call__(self, form, field):
        if field.data not in (None, "") and offered_value(field) is None:
            raise ValidationError(_l("Choose one of the options offered."))


def MaxLength(limit: int) -> Length:
    """A length limit with a message that says how much to cut (the browser enforces it too:
    the field carries `maxlength`)."""
    return Length(max=limit, message=_l("Shorten this to %(max)d characters or fewer (it has "
                                        "%(length)d)."))


def _leaves(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _leaves(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from (_leaves(entry.form) if isinstance(entry, FormField) else [entry])
        else:
            yield field


def out_of_bounds(form) -> list:
    """Fields whose posted value no stored answer may hold: text over its length limit, or a
    choice that was never offered. Only a crafted request gets here; it is refused, not stored."""
    return [field for field in _leaves(form) if _too_long(field) or _not_offered(field)]


def _too_long(field) -> bool:
    limit = getattr(field.flags, "maxlength", None)
    return bool(limit) and isinstance(field.data, str) and len(field.data) > limit


def _not_offered(field) -> bool:
    checked = any(isinstance(v, Offered) for v in field.validators)
    return checked and field.data not in (None, "") and offered_value(field) is None
