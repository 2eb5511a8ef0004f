"""A person's own settings, and the digest defaults the head sets for new staff."""
from __future__ import annotations

from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forms.base import Form, Offered
from workflow.checks import LANGUAGE_NAMES, known_zone
from workflow.i18n import lazy_gettext as _l

DIGEST_CHOICES = [("none", _l("No digest")), ("daily", _l("Daily")), ("weekly", _l("Weekly"))]
FOLLOW_CHOICES = [("all", _l("All calls")), ("chosen", _l("Only the calls ticked below"))]


class CheckList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _zone(form, field):
    if field.data and not known_zone(field.data):
        raise ValidationError(_l("Choose a time zone from the list, e.g. America/Bogota."))


class ProfileForm(Form):
    locale = SelectField(_l("Language"), choices=list(LANGUAGE_NAMES.items()), validate_choice=False,
                         validators=[Offered()])
    timezone = StringField(_l("Time zone"), validators=[Length(max=64), _zone])
    digest = RadioField(_l("Email digest"), choices=DIGEST_CHOICES, default="none", validate_choice=False,
                        validators=[Offered()])
    follows = RadioField(_l("Calls the digest covers"), choices=FOLLOW_CHOICES, default="all",
                         validate_choice=False, validators=[Offered()])
    calls = CheckList(_l("Calls"), coerce=int, validate_choice=False)


class DefaultsForm(Form):
    digest = RadioField(_l("Digest for new members of the secretariat"), choices=DIGEST_CHOICES,
                        validate_choice=False, validators=[Offered()])
    follows = RadioField(_l("Calls it covers"), choices=[*FOLLOW_CHOICES[:1], ("chosen", _l("None until they choose"))],
                         validate_choice=False, validators=[Offered()])
