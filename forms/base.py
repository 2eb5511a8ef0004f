"""Every form strips control characters from what people type (keeping line breaks and tabs):
a stray NUL from a pasted document would otherwise be refused by PostgreSQL."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField
from wtforms import Form as PlainForm
from wtforms.meta import DefaultMeta

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    if isinstance(value, str):
        return CONTROL.sub("", value).replace("\r\n", "\n")
    return value


class _CleanMeta:
    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, (FormField, FieldList)):
            return super().bind_field(form, unbound_field, options)
        filters = (clean_text, *unbound_field.kwargs.get("filters", ()))
        return unbound_field.bind(form=form, filters=filters, **options)


class Form(FlaskForm):
    """A Flask-WTF form (CSRF) whose text is cleaned."""

    class Meta(_CleanMeta, FlaskForm.Meta):
        pass


class SubForm(PlainForm):
    """A nested form (no CSRF of its own) whose text is cleaned."""

    class Meta(_CleanMeta, DefaultMeta):
        pass
