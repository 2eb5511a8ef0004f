"""The baseline for the deadline rush: a bare Flask-WTF + SQLAlchemy handler that validates a
form (with CSRF) and inserts one row, served by the same gunicorn on the same database."""
from __future__ import annotations

import os

from flask import Flask, render_template_string, session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

db = SQLAlchemy()


class Row(db.Model):
    __tablename__ = "bench_baseline_row"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200))


class NameForm(FlaskForm):
    name = StringField(validators=[DataRequired()])


def create_app(create_tables: bool = False):
    """The app for gunicorn; create_tables=True once before it starts (never in its workers,
    which would race each other)."""
    import json

    app = Flask(__name__)
    app.config.update(SECRET_KEY="bench", SQLALCHEMY_DATABASE_URI=os.environ["MISSIVA_DATABASE_URL"],
                      SQLALCHEMY_ENGINE_OPTIONS=json.loads(os.environ.get("MISSIVA_SQLALCHEMY_ENGINE_OPTIONS", "{}")))
    db.init_app(app)
    if create_tables:
        with app.app_context():
            db.create_all()

    @app.route("/form", methods=["GET", "POST"])
    def form():
        session["seen"] = True
        submitted = NameForm()
        if submitted.validate_on_submit():
            db.session.add(Row(name=submitted.name.data))
            db.session.commit()
            return "ok", 201
        return render_template_string("{{ form.csrf_token }}", form=submitted)

    return app
