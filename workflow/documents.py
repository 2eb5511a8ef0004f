"""Uploaded documents: checked by their content (not their name), stored under generated names
outside the web root, and kept for as long as a submitted version refers to them.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import filetype
from flask import current_app

from .db import db
from .i18n import lazy_gettext as _
from .models import Document
from .sections import DEFAULT_TYPES

# extension -> (MIME type filetype reports for the content, MIME type we serve it with)
KNOWN_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rtf": "application/rtf",
}


class UploadError(ValueError):
    pass


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes, original_name: str, *, submission, section_key: str, slot: dict, actor) -> Document:
    """Check and keep one upload for a document slot of a section."""
    limit_mb = slot.get("max_mb", current_app.config["UPLOAD_MAX_MB"])
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > limit_mb * 1024 * 1024:
        raise UploadError(_("The file is larger than %(n)s MB.", n=limit_mb))
    allowed = [t for t in slot.get("types", DEFAULT_TYPES) if t in KNOWN_TYPES]
    kind = filetype.guess(data)
    if kind is None or kind.extension not in allowed:
        raise UploadError(_("Upload one of these kinds of file: %(kinds)s.",
                            kinds=", ".join(t.upper() for t in allowed)))
    name = os.path.basename(original_name.replace("\\", "/")).strip()[:200] or f"document.{kind.extension}"
    stored = secrets.token_hex(20)
    (folder() / stored).write_bytes(data)
    document = Document(
        submission=submission, section_key=section_key, slot_key=slot["key"], original_name=name,
        stored_name=stored, content_type=KNOWN_TYPES[kind.extension], size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def path_of(document: Document) -> Path:
    return folder() / document.stored_name
