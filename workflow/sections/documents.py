"""Documents: files the state uploads (a country report, a note verbale).

Definition: `documents`, each {key, label, required, max_mb, types}.
Answer: {"files": {slot_key: document_id}}; the files themselves are in workflow/documents.py.
"""
from __future__ import annotations

from ..checks import Problems
from ..i18n import lazy_gettext as _
from ..models import localized
from .base import Field, ItemList, SectionKind, Setting

KNOWN_FILE_TYPES = ("pdf", "docx", "doc", "odt", "xlsx", "rtf")
DEFAULT_TYPES = ("pdf", "docx", "doc", "odt")
MAX_MB = 100  # the most any document slot may allow


class Documents(SectionKind):
    name = "documents"
    label = _("Documents to upload")
    fields = ("documents",)
    item_list = "documents"
    item_fields = ("key", "label", "required", "max_mb", "types")
    lists = (ItemList("documents", _("Documents"), _("Document"), (
        Setting("label", "translated", _("Document")),
        Setting("required", "flag", _("Required")),
        Setting("max_mb", "whole", _("Largest file (MB)"), _("From 1 to 100.")),
        Setting("types", "choices", _("Kinds of file accepted"), _("None ticked: PDF, DOCX, DOC and ODT."),
                tuple((t, t.upper()) for t in KNOWN_FILE_TYPES)),
        Setting("key", "key", _("Short name (in exports)")),
    )),)

    def answered_items(self, section: dict, answer: dict) -> set:
        return {slot for slot, doc_id in answer.get("files", {}).items() if doc_id}

    def check_item(self, item: dict, where: str, found: Problems) -> None:
        found.flag(f"{where}.required", item.get("required"))
        found.whole(f"{where}.max_mb", item.get("max_mb"), 1, MAX_MB, required="max_mb" in item)
        types = item.get("types")
        if types is not None and (not isinstance(types, list) or not types
                                  or any(t not in KNOWN_FILE_TYPES for t in types)):
            found.append(f"{where}.types: a list of {', '.join(KNOWN_FILE_TYPES)}")

    def empty(self) -> dict:
        return {"files": {}}

    def problems(self, section: dict, answer: dict, add, state: str | None = None) -> None:
        files = answer.get("files", {})
        for slot in section["documents"]:
            if slot.get("required") and not files.get(slot["key"]):
                add(("files", slot["key"]), _("This document is required."))

    def attached(self, answer: dict) -> dict:
        return answer.get("files", {})

    def upload_slots(self, section: dict) -> list[dict]:
        return section["documents"]

    def answer_fields(self, section: dict, locale: str, answer: dict, extra_rows: int,
                      state: str | None = None) -> list:
        from .. import documents as store  # the store knows the configured default limit

        fields = []
        for slot in section["documents"]:
            limit, types = store.limit_mb(slot), store.allowed_types(slot)
            fields.append(Field(slot["key"], "file", localized(slot["label"], locale), attrs={
                "data-max-bytes": limit * 1024 * 1024, "data-max-mb": limit,
                "data-types": ", ".join(types).upper(), "accept": ",".join(f".{t}" for t in types),
                "data-too-large": _("This file is larger than %(n)s MB, so it was not added. Choose a "
                                    "smaller file; everything else you typed is still here.", n=limit)}))
            fields.append(Field(f"remove_{slot['key']}", "check", _("Remove this document")))
        return fields

    def form_data(self, section: dict, answer: dict) -> dict:
        return {}

    def from_form(self, section: dict, posted: dict, previous: dict, *, compact: bool) -> dict:
        files = dict(previous.get("files", {}))
        for slot in section["documents"]:
            if posted.get(f"remove_{slot['key']}"):
                files.pop(slot["key"], None)
        return {"files": files}

    def payload(self, section: dict, rows: list[tuple], language: str, documents: dict) -> dict:
        out = []
        for code, name, answer in rows:
            files = []
            for slot in section["documents"]:
                document = documents.get(answer.get("files", {}).get(slot["key"]))
                if document is not None:
                    files.append({"slot": slot["key"], "label": localized(slot["label"], language),
                                  "name": document.original_name, "size": document.size,
                                  "content_type": document.content_type, "document_id": document.id,
                                  "sha256": document.sha256})
            sent = {f["slot"] for f in files}
            out.append({"code": code, "state": name, "files": files,
                        "missing": [localized(s["label"], language) for s in section["documents"]
                                    if s.get("required") and s["key"] not in sent]})
        return {"slots": [{"key": s["key"], "label": localized(s["label"], language)} for s in section["documents"]],
                "rows": out}

    def missing(self, payload: dict) -> list[dict]:
        return [{"state": row["state"], "items": row["missing"]} for row in payload["rows"] if row.get("missing")]

    def totals(self, payload: dict) -> dict[str, int]:
        return {"documents": sum(len(row["files"]) for row in payload["rows"])}

    def _rows(self, payload: dict) -> list[list]:
        return [[row["state"], f["label"], f["name"], round(f["size"] / 1024, 1)]
                for row in payload["rows"] for f in row["files"]]

    def docx(self, writer, payload: dict, words: dict) -> None:
        rows = self._rows(payload)
        if rows:
            writer.table([words["state"], words["document"], words["file"], words["size_kb"]], rows)
        else:
            writer.paragraph(words["none"])

    def receipt(self, writer, payload: dict, words: dict) -> None:
        """Each file with its size and SHA-256 (in groups of eight, as people compare them by eye),
        which the mission can check its copy against."""
        files = [f for row in payload["rows"] for f in row["files"]]
        for f in files:
            writer.bullet(f"{writer.labelled(f['label'], f['name'])} ({max(round(f['size'] / 1024, 1), 0.1)} KB)")
            digest = f.get("sha256") or ""
            writer.paragraph("SHA-256 " + " ".join(digest[i:i + 8] for i in range(0, len(digest), 8)))
        if not files:
            writer.paragraph(words["none"])

    def sheet(self, payload: dict, words: dict) -> tuple[list, list[list]]:
        return [words["state"], words["document"], words["file"], words["size_kb"]], self._rows(payload)
