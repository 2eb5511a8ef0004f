"""Everyone's own page (language, time zone, digest, calls followed), the head's defaults for new
staff, and the one-click way out of a digest, which needs no signing in."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from forms.profile import DefaultsForm, ProfileForm
from workflow import profiles
from workflow.checks import zone_names
from workflow.db import db
from workflow.i18n import gettext as _
from workflow.kinds import CallStatus
from workflow.models import Call

from .access import acting_user

bp = Blueprint("profile", __name__)


def _calls() -> list[tuple[int, str]]:
    calls = db.session.scalars(db.select(Call).where(Call.status != CallStatus.DRAFT).order_by(Call.deadline.desc()))
    return [(c.id, f"{c.reference} — {c.title_in(str(current_user.locale or 'en'))}") for c in calls]


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def page():
    me = acting_user()
    form = ProfileForm()
    form.calls.choices = _calls() if me.is_secretariat else []
    defaults = DefaultsForm(prefix="defaults") if me.role == "admin" else None
    if not form.is_submitted():
        form.locale.data, form.timezone.data, form.digest.data = me.locale or "en", me.zone, me.digest
        form.follows.data = "all" if me.follows_all else "chosen"
        form.calls.data = me.followed_calls or []
        if defaults is not None:
            chosen = profiles.defaults()
            defaults.digest.data, defaults.follows.data = chosen["digest"], "all" if chosen["follows_all"] else "chosen"
    elif form.validate_on_submit():
        known = {c for c, _label in form.calls.choices}
        profiles.update(me, me, locale=form.locale.data, timezone=form.timezone.data or None, digest=form.digest.data,
                        follows_all=form.follows.data != "chosen",
                        followed_calls=[c for c in form.calls.data or [] if c in known])
        db.session.commit()
        session["lang"] = me.locale
        flash(_("Your settings were saved."), "success")
        return redirect(url_for("profile.page"))
    return render_template("profile.html", form=form, defaults=defaults, zones=zone_names()), (
        422 if form.errors else 200)


@bp.route("/profile/defaults", methods=["POST"])
@login_required
def staff_defaults():
    if current_user.role != "admin":
        abort(403)
    form = DefaultsForm(prefix="defaults")
    if form.validate_on_submit():
        profiles.set_defaults(acting_user(), digest=form.digest.data, follows_all=form.follows.data != "chosen")
        db.session.commit()
        flash(_("New members of the secretariat will start with these digest settings."), "success")
    return redirect(url_for("profile.page"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET asks (a mail scanner following links must not unsubscribe anyone); POST, from the
    page's button or from the mail program (RFC 8058 one-click), turns the digest off."""
    person = profiles.person_for(token)
    if person is None:
        abort(404)
    if request.method == "POST":
        profiles.unsubscribe(person)
        db.session.commit()
        return render_template("unsubscribed.html", person=person)
    return render_template("unsubscribe.html", person=person, token=token)
