"""The consolidated report: built from known answers, opened with python-docx and openpyxl."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import docx
import openpyxl

from tasks.reports import compile_report
from workflow import clock, deadlines, report, report_render
from workflow.db import db
from workflow.models import Report
from workflow.submissions import accept, amend, return_to_mission, save, submit

from . import factories
from .conftest import drain
from .factories import filled


def expert(name, funding="own_cost", institution="Ministerio de Justicia"):
    return {"name": name, "title": "Fiscal", "institution": institution, "email": "e@gov.example",
            "phone": "", "role": "head_of_delegation", "funding": funding}


def known_answers(language="en", funded_places=None):
    """AR on time and accepted; BR late; MX amended (v2); CO returned (waiting); CL did not answer.
    With `funded_places` ({"quota": n, code: n}) the call funds places and AR and MX ask for them."""
    w = factories.world()
    call = w["call"]
    call.language = language
    call.created_at = call.deadline - timedelta(days=30)  # opened a month before its deadline
    if funded_places:
        quota = funded_places.pop("quota")
        call.sections = [{**s, "funded_quota": quota,
                          "overrides": [{"state": code, "funded_quota": n} for code, n in funded_places.items()]}
                         if s["kind"] == "nominations" else s for s in call.sections]
    funded = "funded" if funded_places is not None else "own_cost"
    for code in ("MX", "CL", "CO"):
        w[code.lower()] = factories.user(f"focal@{code.lower()}.example", mission=factories.mission(code, "es"))
    from workflow.calls import address

    address(call, ["MX", "CL", "CO"])
    db.session.flush()

    def answer(key, experts, areas=(), comment=None, at=None):
        sub = factories.submission_of(call, w[key].mission)
        content = filled(call)
        content["experts"] = {"experts": experts}
        content["experiences"] = {"areas": {a: {"present": True, "description": d} for a, d in areas}}
        content["agenda"] = {"general": "", "comments": {"4": comment} if comment else {}}
        with clock.frozen_at(at or call.deadline - timedelta(days=5)):
            save(sub, content, w[key], lock_version=sub.lock_version)
            submit(sub, w[key])
        return sub, content

    ar, _ = answer("ar", [expert("María José Núñez", funded), expert("Łukasz Ñandú Çelik")],
                   [("legislation", "Ley 26.388"), ("other", "Cooperación público-privada")],
                   "Incluir al sector privado.")
    accept(ar, w["officer"])
    answer("br", [expert("João Gonçalves")], [("units", "")], at=call.deadline + timedelta(days=2))
    mx, content = answer("mx", [expert("Ximena Pérez")], [("legislation", "")])
    amend(mx, w["mx"])
    content["experts"]["experts"].append(expert("Ángel Núñez", funded))
    save(mx, content, w["mx"], lock_version=mx.lock_version)
    with clock.frozen_at(call.deadline - timedelta(days=1)):
        submit(mx, w["mx"])
    co, _ = answer("co", [expert("Camila Rodríguez")])
    return_to_mission(co, w["officer"], "Falta el cargo.")
    db.session.commit()
    return w


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.sections[0].header.paragraphs] + [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_report_contents_in_docx_xlsx_and_csv(app):
    w = known_answers()
    data = report.build(w["call"], "submitted")
    assert data["summary"] | {"by_state": None} == {
        "addressed": 5, "included": 3, "not_answered": 1, "late": 1, "amended": 1, "experts": 5, "funded": 0,
        "own_cost": 5, "documents": 0, "by_state": None}
    assert [s["state"] for s in data["not_answered"]] == ["Chile"]
    assert [s["state"] for s in data["waiting"]] == ["Colombia"]

    text = docx_text(report_render.docx(data))
    assert "V MEETING OF THE GROUP OF GOVERNMENTAL EXPERTS ON CYBER-CRIME" in text
    assert "CIBER-V/doc.2/07" in text and "Concerning CIBER-V/doc.1/07" in text  # its own symbol, and the call's
    assert "Consolidated report of the answers of the member states" in text
    for name in ("María José Núñez", "Łukasz Ñandú Çelik", "João Gonçalves", "Ximena Pérez", "Ángel Núñez"):
        assert name in text
    assert "Camila Rodríguez" not in text  # returned, waiting for the amendment
    assert "Argentina | ✓ |  |  |  | ✓" in text  # the states x areas matrix
    assert "Argentina | The expert would" not in text
    assert "Argentina: Incluir al sector privado." in text
    assert re.search(r"Brazil \| 1 \| [^|]+\(New York time\) \| Missiva portal \| After the deadline", text)
    assert re.search(r"Mexico \| 2 \| [^|]+ \| Missiva portal \| On time", text)  # the amended version is used
    assert "Funding" not in text and "At own cost" not in text and "Funded" not in text  # no funded places
    assert "Member states that did not answer\nChile" in text
    document = docx.Document(io.BytesIO(report_render.docx(data)))
    assert len(document.inline_shapes) == 2  # the timeline and the matrix charts

    workbook = openpyxl.load_workbook(io.BytesIO(report_render.xlsx(data)))
    assert workbook.sheetnames == ["Summary", "experts", "experiences", "agenda", "country_report",
                                   "Member states that did not answ", "Answers used"]
    experts = [row for row in workbook["experts"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1]) for r in experts] == [("Argentina", "María José Núñez"), ("Argentina", "Łukasz Ñandú Çelik"),
                                                ("Brazil", "João Gonçalves"), ("Mexico", "Ximena Pérez"),
                                                ("Mexico", "Ángel Núñez")]
    summary = dict(workbook["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Member states that did not answer"] == 1 and summary["Late answers"] == 1
    areas = {r[0]: r[1:6] for r in workbook["experiences"].iter_rows(min_row=2, values_only=True)}
    assert areas["Argentina"] == ("Yes", None, None, None, "Yes") and areas["Brazil"][1] == "Yes"

    with zipfile.ZipFile(io.BytesIO(report_render.csv_zip(data))) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("experts.csv").decode("utf-8-sig"))))
    assert rows[1][:2] == ["Argentina", "María José Núñez"]

    accepted_only = report.build(w["call"], "accepted")
    assert accepted_only["summary"]["included"] == 1


def test_report_in_the_calls_language(app):
    w = known_answers(language="es")
    text = docx_text(report_render.docx(report.build(w["call"], "submitted")))
    assert "Informe consolidado de las respuestas de los Estados miembros" in text
    assert "V REUNIÓN DEL GRUPO DE EXPERTOS GUBERNAMENTALES" in text
    assert "Brasil" in text and "México" in text and "Estados miembros que no respondieron" in text


def test_compile_from_the_page_and_download(app, make_client):
    w = known_answers()
    officer = make_client().sign_in("officer@sec.example")
    officer.get(f"/secretariat/calls/{w['call'].id}/reports")
    response = officer.post(f"/secretariat/calls/{w['call'].id}/reports", {"basis": "submitted"})
    row = db.session.scalar(db.select(Report))
    assert response.headers["Location"] == f"/secretariat/reports/{row.id}"
    waiting = officer.get(f"/secretariat/reports/{row.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting and "Compiling" in waiting
    assert compile_report.run(row.id) == "done"
    page = officer.get(f"/secretariat/reports/{row.id}").get_data(as_text=True)
    assert "Łukasz Ñandú Çelik" in page and "Chile" in page and "refresh" not in page
    download = officer.get(f"/secretariat/reports/{row.id}/download/docx")
    assert "María José Núñez" in docx_text(download.data)
    chart = officer.get(f"/secretariat/reports/{row.id}/charts/timeline.svg")
    assert chart.mimetype == "image/svg+xml" and chart.data.startswith(b"<svg") and b"</svg>" in chart.data
    participants = officer.get(f"/secretariat/calls/{w['call'].id}/participants.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(participants.data)).active
    assert sheet["B2"].value == "María José Núñez"
    assert make_client().sign_in("focal@ar.example").get(f"/secretariat/reports/{row.id}").status_code == 403


def test_report_is_compiled_on_schedule_and_mailed(app, smtp):
    w = known_answers()
    w["admin"].locale = "en"
    db.session.commit()
    with clock.frozen_at(w["call"].deadline + timedelta(hours=25)):
        result = deadlines.sweep()
        again = deadlines.schedule_reports(clock.now())
    db.session.commit()
    assert len(result.reports) == 1 and again == []  # once per call
    assert compile_report.run(result.reports[0]) == "done"
    drain()
    mail = smtp.to("admin@sec.example")[-1]
    assert mail["Subject"] == "Consolidated report ready: CIBER-V/doc.1/07"
    assert f"/secretariat/reports/{result.reports[0]}" in mail.get_body(("plain",)).get_content()


def test_receipt_document_for_the_mission(app, make_client):
    w = known_answers()
    mission = make_client().sign_in("focal@ar.example")
    text = docx_text(mission.get(f"/portal/calls/{w['call'].id}/receipt/1.docx").data)
    assert "CIBER-V/doc.1/07 · AR · 1" in text and "María José Núñez" in text
    assert make_client().sign_in("focal@br.example").get(f"/portal/calls/{w['call'].id}/receipt/2.docx").status_code == 404


def test_api_needs_a_token_and_serves_json(app, runner, client):
    w = known_answers()
    assert client.get("/api/v1/calls").status_code == 401
    assert client.get("/api/v1/calls", headers={"Authorization": "Bearer wrong"}).status_code == 401
    token = runner.invoke(args=["missiva", "create-api-token", "archives"]).output.strip()
    auth = {"Authorization": f"Bearer {token}"}
    calls = client.get("/api/v1/calls", headers=auth).get_json()["calls"]
    assert calls[0]["reference"] == "CIBER-V/doc.1/07" and calls[0]["addressed"] == 5
    subs = client.get(f"/api/v1/calls/{w['call'].id}/submissions", headers=auth).get_json()["submissions"]
    assert {s["member_state"]: s["state"] for s in subs}["MX"] == "submitted"
    assert client.get(f"/api/v1/calls/{w['call'].id}/report", headers=auth).status_code == 404
    row = Report(call=w["call"], basis="accepted")
    db.session.add(row)
    db.session.commit()
    compile_report.run(row.id)
    body = client.get(f"/api/v1/calls/{w['call'].id}/report", headers=auth).get_json()
    assert body["data"]["summary"]["included"] == 1
    assert client.get("/api/v1/calls/424242", headers=auth).get_json()["error"]
