from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from forms.base import Form as FlaskForm
from workflow.i18n import lazy_gettext as _l


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CallForm(FlaskForm):
    """The call's own fields; its sections are edited as YAML (checked before saving)."""
    slug = StringField(_l("Short name (used in links and files)"), validators=[
        DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,79}$",
                               message=_l("Lowercase letters, digits and dashes."))])
    reference = StringField(_l("Document reference"), validators=[DataRequired(), Length(max=120)])
    title = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    title_es = StringField(_l("Title (Spanish)"), validators=[Length(max=300)])
    title_fr = StringField(_l("Title (French)"), validators=[Length(max=300)])
    title_pt = StringField(_l("Title (Portuguese)"), validators=[Length(max=300)])
    explanatory_note = TextAreaField(_l("Explanatory note"), validators=[Length(max=20000)])
    meeting_name = StringField(_l("Meeting"), validators=[Length(max=300)])
    meeting_starts = StringField(_l("Meeting starts (YYYY-MM-DD)"), validators=[Length(max=10)])
    meeting_ends = StringField(_l("Meeting ends (YYYY-MM-DD)"), validators=[Length(max=10)])
    meeting_venue = StringField(_l("Venue"), validators=[Length(max=200)])
    deadline = DateTimeLocalField(_l("Deadline (in the call's time zone)"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("Give the deadline as a date and time."))])
    timezone = StringField(_l("Time zone of the call"), default="America/New_York",
                           validators=[DataRequired(), Length(max=64)])
    accept_late = BooleanField(_l("Accept answers after the deadline (marked late)"), default=True)
    allow_amendments = BooleanField(_l("Missions may amend a submitted answer"), default=True)
    close_at_deadline = BooleanField(_l("Close the call at the deadline"))
    addressed = MultiCheckboxField(_l("Addressed member states"))
    sections = TextAreaField(_l("Sections (YAML)"), validators=[DataRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("Call definition (YAML)"), validators=[FileRequired(_l("Choose a file."))])


class CloneForm(FlaskForm):
    slug = StringField(_l("Short name of the new call"), validators=[
        DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,79}$", message=_l("Lowercase letters, digits and dashes."))])
    reference = StringField(_l("Reference of the new call"), validators=[DataRequired(), Length(max=120)])
    days = IntegerField(_l("Move every date by (days)"), default=365,
                        validators=[NumberRange(min=-3650, max=3650)])
