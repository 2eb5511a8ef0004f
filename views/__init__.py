"""HTTP blueprints, kept thin: load, authorize, validate a form, call an operation of workflow/,
map its outcome to a response."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import format_decimal
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workflow.db import db
from workflow.i18n import lazy_gettext as _l

from . import admin, api, auth, calls, mail, mission, profile, reports, secretariat
from .navigation import IdConverter
from .security import limiter

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")

ERROR_TEXT = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist, or is not yours to see."),
    405: _l("This page cannot be used that way."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Your last change may not have been saved."),
}


def register(app) -> None:
    app.url_map.converters["int"] = IdConverter

    for module in (auth, mission, secretariat, calls, mail, reports, api, profile, admin):
        app.register_blueprint(module.bp)
    app.extensions["csrf"].exempt(api.bp)  # read-only, token-authenticated, no cookies
    # The signed link is the authority, and a mail program posts it without a session (RFC 8058).
    app.extensions["csrf"].exempt(profile.unsubscribe)
    limiter.init_app(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _l("This form had expired or was sent from elsewhere. Please go back, reload "
                     "the page and send it again.")
        return render_template("errors.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        message = ERROR_TEXT.get(code, error.description)
        if code == 413:  # the request was never read: say so, honestly
            message = _l("What you sent was larger than %(n)s MB in all, so nothing from that page "
                         "could be saved, not even the text. Go back: your browser usually still shows "
                         "what you typed. Then attach a smaller file (each document's limit is shown "
                         "next to it) and save again.",
                         n=format_decimal(round(app.config["MAX_CONTENT_LENGTH"] / 2**20, 1), format="#,##0.#"))
        if request.path.startswith("/api/"):
            return {"error": str(message)}, code
        return render_template("errors.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error")
        db.session.rollback()
        if request.path.startswith("/api/"):
            return {"error": str(ERROR_TEXT[500])}, 500
        return render_template("errors.html", code=500, message=ERROR_TEXT[500]), 500
