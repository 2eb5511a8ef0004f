from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from forms.base import Form as FlaskForm
from workflow.i18n import lazy_gettext as _l


class ImportForm(FlaskForm):
    file = FileField(_l("Call definition (YAML)"), validators=[FileRequired(_l("Choose a file."))])


class CloneForm(FlaskForm):
    slug = StringField(_l("Short name of the new call"), validators=[
        DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,79}$", message=_l("Lowercase letters, digits and dashes."))])
    reference = StringField(_l("Reference of the new call"), validators=[DataRequired(), Length(max=120)])
    days = IntegerField(_l("Move every date by (days)"), default=365,
                        validators=[NumberRange(min=-3650, max=3650)])
