from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from forms.base import Form as FlaskForm
from workflow.i18n import lazy_gettext as _l


class SignInForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address.")), Length(max=254),
        Email(_l("This does not look like an email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                          Length(max=200)])


class LinkRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address.")), Length(max=254),
        Email(_l("This does not look like an email address."))])
