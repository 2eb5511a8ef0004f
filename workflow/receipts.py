"""The acknowledgement of receipt: a numbered document, in the mission's language, listing
everything the secretariat received (every section, each document with its size and SHA-256), that
a diplomat can file and quote in a note verbale. The PDF (typeset by Typst) and the DOCX are
written from one description (workflow/report_render.py); the PDF is attached to the receipt mail."""
from __future__ import annotations

from flask import current_app

from .models import Submission, SubmissionVersion, localized


def secretariat_name(language: str) -> str:
    """The secretariat's name as it signs what leaves Missiva (SECRETARIAT_NAME, per language)."""
    return localized(current_app.config["SECRETARIAT_NAME"], language, "en")


def pdf(submission: Submission, version: SubmissionVersion, language: str) -> bytes:
    from .report_render import receipt_pdf

    return receipt_pdf(submission, version, language)


def file_name(version: SubmissionVersion, extension: str) -> str:
    """"receipt-CIBER-V-doc.1-07-AR-1.pdf": the receipt number, safe as a file name."""
    stem = "-".join(part for part in version.receipt_number.replace("/", "-").split(" · "))
    return f"receipt-{stem.replace(' ', '')}.{extension}"
