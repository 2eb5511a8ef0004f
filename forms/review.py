from wtforms import DateTimeLocalField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.base import Form as FlaskForm
from workflow.i18n import lazy_gettext as _l


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("What should the mission change?"), validators=[
        DataRequired(_l("Say what the mission should change.")), Length(max=5000)])


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Internal note"), validators=[
        DataRequired(_l("Write the note before you add it.")), Length(max=5000)])


class ExtensionForm(FlaskForm):
    deadline = DateTimeLocalField(_l("New deadline for this mission (in the call's time zone)"),
                                  format="%Y-%m-%dT%H:%M", validators=[Optional()])
