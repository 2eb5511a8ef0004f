"""The acknowledgement of receipt: a numbered document, in the mission's language, listing
everything the secretariat received (every section, each document with its size and SHA-256), that
a diplomat can file and quote in a note verbale. Drawn from HTML by WeasyPrint (PDF) and by
python-docx (DOCX); attached to the receipt mail."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale

from . import clock
from .models import Submission, SubmissionVersion, localized
from .report_render import page_numbers
from .submissions import documents_of


def secretariat_name(language: str) -> str:
    """The secretariat's name as it signs what leaves Missiva (SECRETARIAT_NAME, per language)."""
    return localized(current_app.config["SECRETARIAT_NAME"], language, "en")


def html(submission: Submission, version: SubmissionVersion, language: str) -> str:
    call, mission = submission.call, submission.mission
    with force_locale(language):
        return render_template(
            "documents/receipt.html", language=language, call=call, submission=submission, version=version,
            state=mission.member_state.name(language), of_state=mission.member_state.of(language),
            secretariat=secretariat_name(language),
            received=clock.shown(version.received, call.timezone, language, reader_zone=mission.timezone),
            issued=clock.shown(clock.now(), call.timezone, language),
            documents=documents_of(submission, version.content), printing=True,
            page_numbers=page_numbers(language),
        )


def pdf(submission: Submission, version: SubmissionVersion, language: str) -> bytes:
    from weasyprint import HTML  # a second's import: only where a receipt is drawn

    return HTML(string=html(submission, version, language)).write_pdf()


def file_name(version: SubmissionVersion, extension: str) -> str:
    """"receipt-CIBER-V-doc.1-07-AR-1.pdf": the receipt number, safe as a file name."""
    stem = "-".join(part for part in version.receipt_number.replace("/", "-").split(" · "))
    return f"receipt-{stem.replace(' ', '')}.{extension}"
