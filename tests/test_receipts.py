"""The acknowledgement of receipt as the mission files it: a numbered PDF in its language, listing
everything received, attached to the receipt mail; replies go to the call's contact."""
from __future__ import annotations

import shutil
import subprocess

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
    assert "Ley 26.388" in text
    assert "hora de Nueva York" in text  # the call's zone, named
    assert "Página 1 / 1" in text

    # The same document from the confirmation page.
    page = mission.get(f"/portal/calls/{call.id}/receipt/1").get_data(as_text=True)
    assert "Descargar el acuse de recibo (PDF)" in page
    pdf = mission.get(f"/portal/calls/{call.id}/receipt/1.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    # Another mission cannot fetch it.
    assert make_client().sign_in("focal@br.example").get(f"/portal/calls/{call.id}/receipt/1.pdf").status_code == 404
