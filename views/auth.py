"""Signing in and out: a password, or a single-use link sent by email."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_login import current_user, login_user, logout_user

from forms.auth import LinkRequestForm, SignInForm
from forms.base import ConfirmForm
from workflow import accounts, audit, invitations, notifications
from workflow.db import db
from workflow.i18n import gettext as _
from workflow.models import User

from .access import acting_user
from .navigation import safe_target
from .security import SIGN_IN_LIMIT, limiter

bp = Blueprint("auth", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_secretariat:
        return redirect(url_for("secretariat.calls"))
    return redirect(url_for("mission.calls"))


@bp.route("/health")
def health():
    """For load balancers and the compose health check: the database answers."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def login():
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            accounts.start_session(user)
            login_user(user)
            audit.record("signed_in", user)
            db.session.commit()
            return redirect(safe_target(request.args.get("next")) or url_for("auth.home"))
        # The same answer whether or not the address exists.
        form.password.errors.append(_("This email address and password do not match."))
    return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/sign-in-link", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def request_link():
    """Email a sign-in link. The answer is the same whether or not the address is known."""
    form = LinkRequestForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).filter_by(email=form.email.data.strip().lower()))
        if user is not None and user.active:
            notifications.sign_in_link(user)
            db.session.commit()
        return render_template("auth/link_sent.html", email=form.email.data.strip())
    return render_template("auth/request_link.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT)
def sign_in_link(token: str):
    """GET only shows a button: mail scanners that open links must not use them up."""
    form = ConfirmForm()
    try:
        user = invitations.peek(token)
    except invitations.InvalidLink as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 410
    if form.validate_on_submit():
        try:
            invitations.redeem(token)
        except invitations.InvalidLink as exc:  # used a moment ago in another tab
            db.session.rollback()
            return render_template("auth/link_invalid.html", message=str(exc)), 410
        accounts.start_session(user)
        login_user(user)
        db.session.commit()
        flash(_("Welcome, %(name)s. You are signed in.", name=user.name), "success")
        return redirect(safe_target(request.args.get("next")) or url_for("auth.home"))
    # Before signing in, the page speaks the person's language (the one they chose, else their
    # mission's), not the browser's guess.
    language = session.get("lang") or user.locale or (user.mission.language if user.mission else None)
    with force_locale(language if language in current_app.config["LANGUAGES"] else "en"):
        return render_template("auth/sign_in_link.html", form=form, user=user)


@bp.route("/logout", methods=["POST"])
def logout():
    if ConfirmForm().validate_on_submit() and current_user.is_authenticated:
        me = acting_user()
        accounts.end_session(me)
        audit.record("signed_out", me)
        db.session.commit()
        logout_user()
    return redirect(url_for("auth.login"))
