from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forms.base import Form as FlaskForm
from workflow.i18n import lazy_gettext as _l


class WordingForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Give a subject.")), Length(max=300)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Give the text.")), Length(max=20000)])
    preview_for = SelectField(_l("Preview for"), validate_choice=False)
