"""The acknowledgement of receipt as the mission files it: a numbered PDF in its language, listing
everything received, attached to the receipt mail; replies go to the call's contact."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from workflow.db import db

from . import factories
from .conftest import drain

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@needs_poppler
def test_the_receipt_mail_carries_the_numbered_pdf_in_the_missions_language(app, smtp, make_client, tmp_path):
    w = factories.world()
    call = w["call"]
    w["ar"].locale = "es"
    db.session.commit()
    mission = make_client().sign_in("focal@ar.example")
    form = factories.answer_form(action="submit")
    response = mission.post(f"/portal/calls/{call.id}", form)
    assert response.status_code == 302
    drain()

    receipt = smtp.to("focal@ar.example")[-1]
    assert receipt["Reply-To"] == "Michael Thomas <mthomas@oas.org>"  # the call's contact
    assert receipt["Auto-Submitted"] == "auto-generated"
    files = [part for part in receipt.iter_attachments()]
    assert [part.get_filename() for part in files] == ["receipt-CIBER-V-doc.1-07-AR-1.pdf"]
    text = pdf_text(files[0].get_content(), tmp_path)
    assert "Acuse de recibo" in text and "CIBER-V/doc.1/07 · AR · 1" in text
    assert "Secretaría Técnica" in text and "Argentina" in text
    assert "mjnunez@mpf.example" in text  # every section received is listed
    assert re.search(r"mjnunez@mpf\.example +\+54", text)  # the address fits its column, clear of the next
    assert "Ley 26.388" in text
    assert "hora de Nueva York" in text  # the call's zone, named
    assert "Página 1 de 1" in text

    # The same document from the confirmation page.
    page = mission.get(f"/portal/calls/{call.id}/receipt/1").get_data(as_text=True)
    assert "Descargar el acuse de recibo (PDF)" in page
    pdf = mission.get(f"/portal/calls/{call.id}/receipt/1.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    # Another mission cannot fetch it.
    assert make_client().sign_in("focal@br.example").get(f"/portal/calls/{call.id}/receipt/1.pdf").status_code == 404


# What Brazil's four focal points read, one per language: the state named with its article where the
# language puts one ("do Brasil", "du Brésil"), the mission named in the reader's language, and a
# salutation that is a salutation, not a role glued to a name.
WORDING = {
    "en": ("Dear Ana Luísa Gonçalves,\n", "invites the Permanent Mission of Brazil to answer",
           "acknowledges receipt of the answer of Brazil to"),
    "es": ("Estimado/a Ana Luísa Gonçalves:\n", "invita a la Misión Permanente de Brasil a responder",
           "acusa recibo de la respuesta de Brasil a"),
    "fr": ("À l'attention de Ana Luísa Gonçalves\n\nMadame, Monsieur,\n",
           "invite la Mission permanente du Brésil à répondre", "accuse réception de la réponse du Brésil à"),
    "pt": ("Prezado(a) Ana Luísa Gonçalves,\n", "convida a Missão Permanente do Brasil a responder",
           "acusa o recebimento da resposta do Brasil a"),
}


def test_the_mails_of_a_state_whose_name_takes_an_article_read_right_in_each_language(app, smtp, make_client):
    from workflow import notifications

    w = factories.world()
    call = w["call"]
    mission = w["br"].mission
    for language in WORDING:
        factories.user(f"{language}@br.example", mission=mission, name="Ana Luísa Gonçalves", locale=language)
    db.session.commit()
    notifications.invite(call)
    db.session.commit()
    client = make_client().sign_in("focal@br.example")
    assert client.post(f"/portal/calls/{call.id}", factories.answer_form(action="submit")).status_code == 302
    drain()
    for language, (salutation, invited, received) in WORDING.items():
        invitation, receipt = [m.get_body(("plain",)).get_content().replace("\r\n", "\n")
                               for m in smtp.to(f"{language}@br.example")]
        assert invitation.startswith(salutation) and receipt.startswith(salutation), language
        assert invited in invitation, (language, invitation)
        assert received in receipt, (language, receipt)
        for wrong in ("de Brasil" if language == "pt" else "of Brasil", "Permanent Mission of Brazil" if
                      language != "en" else "Missão", "(s)"):
            assert wrong not in invitation + receipt, (language, wrong)


@needs_poppler
def test_pages_and_the_receipt_name_the_state_with_its_article(app, client, tmp_path):
    """"au nom du Brésil", "resposta do Brasil": the phrase the mail already uses (MemberState.of),
    not the bare name after "de"."""
    from workflow import receipts, report_render
    from workflow.submissions import save, submit

    from .test_report import docx_text

    w = factories.world()
    w["br"].locale = "fr"
    db.session.commit()
    client.sign_in("focal@br.example")
    url = f"/portal/calls/{w['call'].id}"
    client.get(url)
    assert client.post(url, factories.answer_form(lock_version="0", action="review")).status_code == 302
    assert "Soumettre au nom du Brésil" in client.get(f"{url}/check").get_data(as_text=True)
    brazil = factories.submission_of(w["call"], w["br"].mission)
    save(brazil, factories.filled(w["call"]), w["br"], lock_version=brazil.lock_version)
    version = submit(brazil, w["br"])
    db.session.commit()
    assert "accuse réception de la réponse du Brésil" in pdf_text(receipts.pdf(brazil, version, "fr"), tmp_path)
    assert "acusa o recebimento da resposta do Brasil" in docx_text(report_render.receipt_docx(brazil, version, "pt"))


def test_an_extension_names_the_answer_with_the_states_article(app, make_client):
    """"La date limite de la réponse du Brésil", not "pour Brésil"."""
    w = factories.world()
    w["officer"].locale = "fr"
    db.session.commit()
    brazil = factories.submission_of(w["call"], w["br"].mission)
    officer = make_client().sign_in("officer@sec.example")
    officer.get(f"/secretariat/submissions/{brazil.id}")
    later = (w["call"].deadline + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = officer.post(f"/secretariat/submissions/{brazil.id}/extension", {"deadline": later, "action": "set"})
    assert response.status_code == 302
    page = html.unescape(officer.get(response.headers["Location"]).get_data(as_text=True))
    assert "La date limite de la réponse du Brésil est désormais" in page


@needs_poppler
def test_the_receipt_shows_the_one_answer_with_each_files_checksum(app, tmp_path):
    """The PDF and the DOCX are one document: the experts without a column of states, each file
    with its size and SHA-256 to check a copy against, none of the report's figures, and page
    numbers on every page."""
    import hashlib
    import io

    import docx

    from workflow import documents, receipts, report_render
    from workflow.submissions import save, submit

    from .test_report import docx_text

    w = factories.world()
    call = w["call"]
    sub = factories.submission_of(call, w["ar"].mission)
    content = factories.filled(call)
    slot = call.section("country_report")["documents"][0]
    stored = documents.store(factories.PDF, "Informe nacional.pdf", submission=sub, section_key="country_report",
                             slot=slot, actor=w["ar"])
    content["country_report"] = {"files": {slot["key"]: stored.id}}
    content["experiences"] = {"areas": {"legislation": {"present": True, "description": "Ley 26.388"}}}
    save(sub, content, w["ar"], lock_version=0)
    version = submit(sub, w["ar"])
    db.session.commit()
    filed = docx.Document(io.BytesIO(report_render.receipt_docx(sub, version, "en"))).sections[0].footer
    assert "NUMPAGES" in filed.paragraphs[0]._p.xml and filed.paragraphs[0].text.startswith("Page ")  # "Page 1 of 2"
    checksum = hashlib.sha256(factories.PDF).hexdigest()
    grouped = " ".join(checksum[i:i + 8] for i in range(0, 64, 8))
    for text in (pdf_text(receipts.pdf(sub, version, "en"), tmp_path),
                 docx_text(report_render.receipt_docx(sub, version, "en"))):
        flat = " ".join(text.split())
        assert "Recent cyber-crime related developments in your state (for item VII): Informe nacional.pdf" in flat
        assert f"SHA-256 {grouped}" in flat
        assert "Yes: Drafting or enacting cyber-crime legislation — Ley 26.388" in flat
        assert "Ana Souza" in flat and "Member state | Full name" not in text  # no column of states
        assert "Member states whose experts would present" not in flat  # nor the report's chart
        assert "Issued on" in flat and flat.rstrip().split("Issued on")[1].count("Technical Secretariat") == 1
