from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from workflow.i18n import lazy_gettext as _l


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("What should the mission change?"), validators=[
        DataRequired(_l("Say what the mission should change.")), Length(max=5000)])


class AcceptForm(FlaskForm):
    pass
