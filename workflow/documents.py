"""Uploaded documents: checked by their content (not their name), stored under generated names
outside the web root, and kept for as long as a submitted version refers to them.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import func

from . import audit, clock
from .db import db
from .i18n import lazy_gettext as _
from .models import Document, Submission
from .sections.documents import DEFAULT_TYPES, MAX_MB
from .submissions import documents_of
from .text import clean_line

# extension -> (MIME type filetype reports for the content, MIME type we serve it with)
KNOWN_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rtf": "application/rtf",
    # scans of what arrived by fax or post
    "png": "image/png",
    "jpg": "image/jpeg",
    "tif": "image/tiff",
}


class UploadError(ValueError):
    pass


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def limit_mb(slot: dict) -> int:
    """A slot's size limit (a definition stored before limits were checked falls back)."""
    value = slot.get("max_mb")
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_MB:
        return value
    return current_app.config["UPLOAD_MAX_MB"]


def allowed_types(slot: dict) -> list[str]:
    types = slot.get("types")
    chosen = [t for t in types if t in KNOWN_TYPES] if isinstance(types, list) else []
    return chosen or [t for t in DEFAULT_TYPES if t in KNOWN_TYPES]


def referenced_ids(submission, replacing: tuple[str, str] | None = None) -> set[int]:
    """The documents the working answer and every frozen version refer to; the file in the slot
    `replacing` (section key, slot key) only if a version keeps it."""
    ids = set(documents_of(submission))
    if replacing is not None:
        section_key, slot_key = replacing
        ids.discard(submission.content.get(section_key, {}).get("files", {}).get(slot_key))
    for version in submission.versions:
        ids |= set(documents_of(submission, version.content))
        if version.original_document_id:
            ids.add(version.original_document_id)
    return ids


def stored_bytes(submission, replacing: tuple[str, str]) -> int:
    """What the documents an answer refers to take up, the one being replaced left out."""
    ids = referenced_ids(submission, replacing)
    if not ids:
        return 0
    return db.session.scalar(db.select(func.coalesce(func.sum(Document.size), 0))
                             .where(Document.id.in_(ids))) or 0


def check_size(size: int, *, submission, slot: dict, section_key: str) -> None:
    """Refuse a file by its size alone, before it is read: the slot's limit and the answer's quota."""
    if not size:
        raise UploadError(_("The file is empty."))
    limit = limit_mb(slot)
    if size > limit * 1024 * 1024:
        raise UploadError(_("The file is larger than %(n)s MB.", n=limit))
    quota = current_app.config["UPLOAD_QUOTA_MB"]
    if stored_bytes(submission, (section_key, slot["key"])) + size > quota * 1024 * 1024:
        raise UploadError(_("This answer cannot hold more than %(n)s MB of documents. Remove a "
                            "document you no longer need, then upload this one.", n=quota))


def safe_name(original_name: str | None, fallback: str = "document") -> str:
    """A file name fit for a header and a file system: one line, no path, no control characters."""
    name = os.path.basename(clean_line(original_name or "").replace("\\", "/")).strip()
    return name[:200] or fallback


def store(data: bytes, original_name: str, *, submission, section_key: str, slot: dict, actor) -> Document:
    """Check and keep one upload for a document slot of a section."""
    check_size(len(data), submission=submission, slot=slot, section_key=section_key)
    allowed = allowed_types(slot)
    kind = filetype.guess(data)
    if kind is None or kind.extension not in allowed:
        raise UploadError(_("Upload one of these kinds of file: %(kinds)s.",
                            kinds=", ".join(t.upper() for t in allowed)))
    name = safe_name(original_name, f"document.{kind.extension}")
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


def remove_orphans(at: datetime | None = None) -> int:
    """Remove uploads no answer refers to any more (replaced, removed, or left by a refused save),
    once they are older than UPLOAD_ORPHAN_GRACE_SECONDS: a save in flight has committed by then,
    so nothing it is about to refer to is taken. Returns how many files went. The caller commits."""
    at = at or clock.now()
    grace = timedelta(seconds=current_app.config["UPLOAD_ORPHAN_GRACE_SECONDS"])
    old = db.select(Document.submission_id).where(Document.uploaded_at < at - grace).distinct()
    removed = 0
    for submission in db.session.scalars(db.select(Submission).where(Submission.id.in_(old))):
        keep = referenced_ids(submission)
        gone = db.session.scalars(db.select(Document).where(
            Document.submission_id == submission.id, Document.uploaded_at < at - grace,
            Document.id.not_in(keep))).all()
        for document in gone:
            path_of(document).unlink(missing_ok=True)
            db.session.delete(document)
        if gone:
            audit.record("documents_removed", None, submission=submission, at=at,
                         detail={"documents": [d.id for d in gone], "reason": "no answer refers to them"})
            removed += len(gone)
    # Files whose row never committed (a request that failed or was refused after writing them).
    known = set(db.session.scalars(db.select(Document.stored_name)))
    cutoff = time.time() - grace.total_seconds()
    for entry in os.scandir(folder()):
        if entry.is_file() and entry.name not in known and entry.stat().st_mtime < cutoff:
            os.unlink(entry.path)
            removed += 1
    return removed
