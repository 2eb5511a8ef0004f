"""The directory's forms: a member state's names, its mission, a person, the import of a file."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from forms.base import Form, MaxLength, Offered
from workflow import directory
from workflow.checks import LANGUAGE_NAMES, known_zone
from workflow.i18n import lazy_gettext as _l


def _zone(form, field):
    if field.data and not known_zone(field.data):
        raise ValidationError(_l("Choose a time zone from the list, e.g. America/Bogota."))


EMAIL_CHECK = Email(message=_l("This does not look like an email address."), check_deliverability=False)


class StateForm(Form):
    """A member state's names and its mission's details (the English name of the mission too)."""

    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Give the state's name in English.")),
                                                            MaxLength(200)])
    name_es = StringField(_l("Name in Spanish"), validators=[MaxLength(200)])
    name_fr = StringField(_l("Name in French"), validators=[MaxLength(200)])
    name_pt = StringField(_l("Name in Portuguese"), validators=[MaxLength(200)])
    of_en = StringField(_l("In English, “of …”"), validators=[MaxLength(220)])
    of_es = StringField(_l("In Spanish, “de …”"), validators=[MaxLength(220)])
    of_fr = StringField(_l("In French, “de …”"), validators=[MaxLength(220)])
    of_pt = StringField(_l("In Portuguese, “de …”"), validators=[MaxLength(220)])
    name = StringField(directory.FIELD_LABELS["name"],
                       validators=[DataRequired(_l("Give the mission's name.")), MaxLength(200)])
    language = SelectField(directory.FIELD_LABELS["language"], choices=list(LANGUAGE_NAMES.items()),
                           validate_choice=False, validators=[Offered()])
    timezone = StringField(directory.FIELD_LABELS["timezone"],
                           validators=[DataRequired(_l("Give the mission's time zone.")), Length(max=64), _zone])
    representative_name = StringField(directory.FIELD_LABELS["representative_name"], validators=[MaxLength(200)])
    representative_email = EmailField(directory.FIELD_LABELS["representative_email"],
                                      validators=[Optional(), MaxLength(254), EMAIL_CHECK])
    postal_address = TextAreaField(directory.FIELD_LABELS["postal_address"], validators=[MaxLength(1000)])
    mailbox = EmailField(directory.FIELD_LABELS["mailbox"], validators=[Optional(), MaxLength(254), EMAIL_CHECK])


class AddStatesForm(Form):
    codes = StringField(_l("ISO codes of the states to add"),
                        description=_l("Two letters each, separated by spaces or commas: e.g. FR, DE, IT."),
                        validators=[DataRequired(_l("Give at least one ISO code.")), MaxLength(2000)])

    def validate_codes(self, field):
        unknown = [c for c in self.code_list() if not directory.known_state(c)]
        if unknown:
            raise ValidationError(_l("Not ISO 3166 country codes: %(codes)s.", codes=", ".join(unknown)))

    def code_list(self) -> list[str]:
        return [c.strip().upper() for c in (self.codes.data or "").replace(",", " ").replace(";", " ").split()]


class PersonForm(Form):
    """Inviting someone: by the admin (any role, any mission) or a lead focal point (colleagues)."""

    name = StringField(_l("Full name"), validators=[DataRequired(_l("Give the person's full name.")), MaxLength(200)])
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Give the person's email address.")),
                                                MaxLength(254), EMAIL_CHECK])
    role = RadioField(_l("Role"), choices=list(directory.PERSON_ROLE_LABELS.items()), default="focal_point",
                      validate_choice=False, validators=[Offered()])
    state = SelectField(_l("Mission"), choices=[], validate_choice=False, validators=[Offered()],
                        description=_l("For a mission's people; leave empty for the secretariat."))

    def validate_state(self, field):
        if self.role.data in ("lead", "focal_point", "alternate") and not field.data:
            raise ValidationError(_l("Choose the person's mission."))
        if self.role.data in ("officer", "admin") and field.data:
            raise ValidationError(_l("The secretariat's people have no mission: leave this empty."))


class ColleagueForm(Form):
    name = PersonForm.name
    email = PersonForm.email
    role = RadioField(_l("Role"), choices=[("focal_point", directory.PERSON_ROLE_LABELS["focal_point"]),
                                           ("alternate", directory.PERSON_ROLE_LABELS["alternate"])],
                      default="focal_point", validate_choice=False, validators=[Offered()])


class ImportForm(Form):
    file = FileField(_l("Directory file (CSV or XLSX)"))
    membership = RadioField(_l("Or a membership list shipped with Missiva"), validate_choice=False,
                            choices=[("", _l("None"))], default="", validators=[Offered()])
    deactivate_missing = BooleanField(_l("Deactivate the people the file does not list"))

    def validate_file(self, field):
        if not (field.data and getattr(field.data, "filename", "")) and not self.membership.data:
            raise ValidationError(_l("Choose a file, or one of the membership lists."))
        name = getattr(field.data, "filename", "") or ""
        if name and not name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_l("The file must be a CSV or an XLSX workbook."))


class TokenForm(Form):
    name = StringField(_l("What the token is for"), validators=[DataRequired(_l("Name the token.")), MaxLength(120)])
