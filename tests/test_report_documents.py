"""The consolidated report as the secretariat circulates it: read back from the DOCX (python-docx),
the workbook (openpyxl) and the PDF (poppler's pdfinfo, pdftotext and pdftoppm). The pages are kept
in tests/artifacts/documents/ for people to look at."""
from __future__ import annotations

import io
import itertools
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import docx
import openpyxl
from docx.enum.section import WD_ORIENT

from workflow import clock, report, report_render
from workflow.db import db
from workflow.submissions import Arrival, save, submit

from . import factories
from .test_receipts import needs_poppler
from .test_report import docx_text, expert, known_answers

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "documents"


def with_a_faxed_answer(w):
    """Chile's answer came by fax the day before the deadline; an officer typed it in two days after."""
    call = w["call"]
    chile = factories.submission_of(call, w["cl"].mission)
    content = factories.filled(call)
    content["experts"] = {"experts": [expert("Rodrigo Saavedra", "funded")]}
    with clock.frozen_at(call.deadline + timedelta(days=2)):
        save(chile, content, w["officer"], lock_version=chile.lock_version)
        submit(chile, w["officer"], received=Arrival("fax", "Nota verbal 77/07",
                                                     call.deadline - timedelta(days=1)))
    db.session.commit()
    return chile


def funded_answers():
    """The call funds one place per state, two for Mexico (its own figures); Argentina and Mexico
    ask for funded places; Chile's answer came by fax."""
    w = known_answers(funded_places={"quota": 1, "MX": 2})
    with_a_faxed_answer(w)
    return w


def test_the_report_is_a_document_of_the_secretariat(app):
    w = funded_answers()
    data = report.build(w["call"], "submitted")
    assert data["funds"] and data["summary"]["funded"] == 3
    # The time axis runs from the call's opening (no invitation was sent) to the last answer, after the deadline.
    assert data["timeline_start"] == (w["call"].deadline - timedelta(days=30)).date().isoformat()
    assert data["timeline_end"] == (w["call"].deadline + timedelta(days=2)).date().isoformat()  # Brazil, late
    produced = report_render.docx(data)
    document = docx.Document(io.BytesIO(produced))

    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header[0] == "Technical Secretariat" and header[1] == "CIBER-V/doc.2/07"  # the report's own symbol
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, 20\d\d · Original: English", header[2])
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "Page " in document.sections[0].footer.paragraphs[0].text
    properties = document.core_properties
    assert properties.author == properties.last_modified_by == "Technical Secretariat"
    assert properties.keywords == "CIBER-V/doc.2/07" and "python-docx" not in (properties.comments or "")
    # The experts' table, eight columns with funding, has landscape pages of its own.
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]

    text = docx_text(produced)
    assert "Concerning CIBER-V/doc.1/07" in text
    assert "Funded | 3" in text and "At own cost | 3" in text
    assert "Argentina | María José Núñez | Fiscal | Ministerio de Justicia | e@gov.example |  | Head of delegation | " \
           "Funded place" in text
    assert "Mexico | 2 | 1 | 2" in text  # Mexico's own funded figures: nominated, funded, places
    assert re.search(r"Chile \| 1 \| October 28, 2030[^|]*\(New York time\) \| Fax · Nota verbal 77/07 \| On time",
                     text), text[-800:]
    assert not re.search(r"\d{4}-\d\d-\d\d|UTC|[+-]\d\d:?\d\d\b", text)  # every time in words, zone named
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-en.docx").write_bytes(produced)

    workbook = openpyxl.load_workbook(io.BytesIO(report_render.xlsx(data)))
    assert [c.value for c in workbook["experts"][1]][-1] == "Funding"
    assert [c.value for c in workbook["Answers used"][1]] == ["Member state", "Version", "Received",
                                                              "Received through", "Timing"]


def test_no_funding_columns_where_the_call_funds_no_places(app):
    w = known_answers()
    data = report.build(w["call"], "submitted")
    text = docx_text(report_render.docx(data))
    assert "Funding" not in text and "At own cost" not in text and "Funded" not in text
    participants = openpyxl.load_workbook(io.BytesIO(report_render.participants_xlsx(data))).active
    assert [c.value for c in participants[1]][-1] == "Role"
    document = docx.Document(io.BytesIO(report_render.docx(data)))
    experts = next(t for t in document.tables if t.rows[0].cells[1].text == "Full name")
    assert [c.text for c in experts.rows[0].cells][-1] == "Role" and len(experts.columns) == 7


def test_the_title_block_has_no_empty_lines(app):
    """A call with no meeting and no report symbol of its own: its title stands alone, without
    the blank lines the missing meeting and "Concerning" would leave, in the DOCX and the PDF."""
    w = known_answers()
    w["call"].report_symbol, w["call"].meeting = None, {}
    db.session.commit()
    data = report.build(w["call"], "submitted")
    title = docx.Document(io.BytesIO(report_render.docx(data))).paragraphs[0].text
    assert title == w["call"].title_in("en").upper()
    assert not data["call"]["symbol"] and not report_render.meeting_line(data)


def test_the_timelines_axis_reads_at_any_span(app):
    """Days a week apart over a month, in the report's language; a handful of years however far
    ahead a deadline was typed."""
    from workflow import report_charts

    def ticks(start, end, language="fr"):
        data = {"timeline_start": start, "timeline_end": end, "timeline_deadline": end, "timeline": [],
                "summary": {"addressed": 193}, "call": {"language": language}}
        return [label for _at, label in report_charts.timeline(data, report_render.labels(language))["x_ticks"]]

    assert ticks("2007-10-01", "2007-10-29") == ["1 oct.", "8 oct.", "15 oct.", "22 oct.", "29 oct."]
    decades = ticks("2026-01-01", "2106-06-30", "es")
    assert 2 <= len(decades) <= 8 and all(label.startswith("ene") for label in decades), decades


def test_an_experience_section_without_areas_draws_no_chart(app):
    """A section of experience areas left with none (as an edit may leave a former one): its table
    stands without a chart, and the documents are written."""
    w = funded_answers()
    data = report.build(w["call"], "submitted")
    section = next(s for s in data["sections"] if s["kind"] == "experience_areas")
    section["areas"] = []
    document = docx.Document(io.BytesIO(report_render.docx(data)))
    assert len(document.inline_shapes) == 1  # the timeline only
    assert report_render.pdf(data).startswith(b"%PDF")


def test_the_officer_chooses_the_reports_language(app):
    w = funded_answers()  # an English call
    data = report.build(w["call"], "submitted", language="es")
    produced = report_render.docx(data)
    text = docx_text(produced)
    assert "Informe consolidado de las respuestas de los Estados miembros" in text
    assert "V REUNIÓN DEL GRUPO DE EXPERTOS GUBERNAMENTALES" in text  # the call's own Spanish title
    assert re.search(r"\d{1,2} de [a-z]+ de 20\d\d · Original: Español", text)
    assert "Brasil" in text and "México" in text and "Financiada" not in text
    assert "Plaza financiada" in text and "hora de Nueva York" in text and "Fax · Nota verbal 77/07" in text
    assert "Secretaría Técnica" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-es.docx").write_bytes(produced)


def pdf_pages(data: bytes, name: str) -> tuple[str, int, list[str]]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], check=True, capture_output=True,
                          text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / name)], check=True)
    assert len(list(ARTIFACTS.glob(f"{name}-*.png"))) == pages  # every page renders
    return text + "\n" + info, pages, ["landscape" if float(w) > float(h) else "portrait" for w, h in sizes]


@needs_poppler
def test_the_report_as_pdf(app):
    w = funded_answers()
    data = report.build(w["call"], "submitted")
    text, pages, orientation = pdf_pages(report_render.pdf(data), "report-en")
    # The experts' table (eight columns with funding) has landscape pages of its own, as in the DOCX.
    assert orientation[0] == "portrait" and orientation[-1] == "portrait" and "landscape" in orientation
    turns = [a for a, b in itertools.pairwise(orientation) if a != b]
    assert turns == ["portrait", "landscape"], orientation  # one landscape stretch, not a page here and there
    assert "CIBER-V/doc.2/07" in text and "Original: English" in text and f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    assert re.search(r"^Author:\s+Technical Secretariat$", text, re.M)
    assert re.search(r"^Title:\s+Consolidated report of the answers of the member states$", text, re.M)
    assert re.search(r"^Keywords:\s+CIBER-V/doc.2/07$", text, re.M)
    assert "Fax · Nota verbal" in text and "Funded place" in text and "María José Núñez" in text
    assert "Member states that did not answer" in text
    assert "Mexico" in text and re.search(r"Chile\s+1\s+October 28, 2030", text)

    spanish, _pages, _orientation = pdf_pages(report_render.pdf(report.build(w["call"], "submitted", language="es")),
                                              "report-es")
    assert "Página 1 de" in spanish and "Original: Español" in spanish and "Plaza financiada" in spanish


@needs_poppler
def test_what_a_mission_typed_prints_as_typed_in_the_pdf(app):
    """Typst reads the report as data: a comment written like Typst markup is printed, it does
    not turn pages, embolden text or end the document."""
    w = funded_answers()
    data = report.build(w["call"], "submitted")
    _text, pages, orientation = pdf_pages(report_render.pdf(data), "report-plain")
    hostile = '#set page(flipped: true) #pagebreak() *bold* $x^2$ ] ) } // #import "/etc/passwd"'
    agenda = next(s for s in data["sections"] if s["kind"] == "agenda_comments")
    agenda["general"] = [{"state": "Argentina", "text": hostile}]
    text, hostile_pages, hostile_orientation = pdf_pages(report_render.pdf(data), "report-hostile")
    assert hostile_orientation[: len(orientation)] == orientation and hostile_pages == pages
    assert "#set page(flipped: true) #pagebreak() *bold* $x^2$ ] ) } // #import \"/etc/passwd\"" in text

    # A name typed without spaces wraps in its column rather than printing over the next ones.
    experts = next(s for s in data["sections"] if s["kind"] == "nominations")
    experts["rows"][0]["experts"][0]["name"] = "N" * 400
    text, _pages, _orientation = pdf_pages(report_render.pdf(data), "report-long-name")
    assert re.search("(?:N\u200b?){20}", text) and not re.search("(?:N\u200b?){60}", text)
