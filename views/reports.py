"""The consolidated report: compile (in the background), watch progress, read it in the page,
download DOCX / XLSX / CSV; the participants list; charts."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, send_file, url_for
from wtforms import SelectField

from forms.base import Form
from workflow import report, report_render
from workflow.checks import LANGUAGE_NAMES
from workflow.db import db
from workflow.i18n import lazy_gettext as _l
from workflow.models import Call, Report
from workflow.sections import kind_of

from .access import acting_user, secretariat_required

bp = Blueprint("reports", __name__, url_prefix="/secretariat")
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv.zip": "application/zip",
}


class CompileForm(Form):
    basis = SelectField(_l("Answers to include"), choices=[
        ("accepted", _l("Accepted answers only")),
        ("submitted", _l("Accepted and submitted answers (not yet reviewed)"))], default="accepted")
    language = SelectField(_l("Language of the report"), choices=list(LANGUAGE_NAMES.items()),
                           description=_l("The call's own texts not translated into it stay in the call's language."))


def _call(call_id: int) -> Call:
    return db.get_or_404(Call, call_id)


@bp.route("/calls/<int:call_id>/reports", methods=["GET", "POST"])
@secretariat_required
def call_reports(call_id: int):
    call = _call(call_id)
    form = CompileForm(language=call.language)
    if form.validate_on_submit():
        row = report.request(call, form.basis.data, acting_user(), language=form.language.data)
        db.session.commit()
        return redirect(url_for("reports.show", report_id=row.id))
    rows = db.session.scalars(db.select(Report).filter_by(call_id=call.id).order_by(Report.id.desc())).all()
    return render_template("reports/list.html", call=call, rows=rows, form=form)


@bp.route("/reports/<int:report_id>")
@secretariat_required
def show(report_id: int):
    from workflow import report_charts

    row = db.get_or_404(Report, report_id)
    data = row.data
    alt = report_charts.timeline_description(data, report_render.labels(data["call"]["language"])) if data else ""
    return render_template("reports/show.html", report=row, call=row.call, data=data, timeline_alt=alt)


@bp.route("/reports/<int:report_id>/download/<fmt>")
@secretariat_required
def download(report_id: int, fmt: str):
    row = db.get_or_404(Report, report_id)
    name = (row.files or {}).get(fmt)
    if name is None or not (report.folder() / name).exists():
        abort(404)
    return send_file(report.folder() / name, mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)


@bp.route("/reports/<int:report_id>/charts/<name>.svg")
@secretariat_required
def chart(report_id: int, name: str):
    from workflow import report_charts, typeset

    row = db.get_or_404(Report, report_id)
    if row.data is None:
        abort(404)
    words = report_render.labels(row.data["call"]["language"])
    if name == "timeline":
        drawn = report_charts.timeline(row.data, words)
    else:
        section = next((s for s in row.data["sections"] if s["key"] == name), None)
        drawn = kind_of(section).chart(section, words) if section else None
        if drawn is None:
            abort(404)
    return Response(typeset.picture(drawn, "svg"), mimetype="image/svg+xml")


@bp.route("/calls/<int:call_id>/participants.<fmt>")
@secretariat_required
def participants(call_id: int, fmt: str):
    """The list of participants (experts by member state) from the answers received so far."""
    call = _call(call_id)
    if fmt not in ("docx", "xlsx"):
        abort(404)
    data = report.build(call, "submitted")
    render = report_render.participants_docx if fmt == "docx" else report_render.participants_xlsx
    return Response(render(data), mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename={call.slug}-participants.{fmt}"})
