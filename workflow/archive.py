"""A call with everything that belongs to it — answers, frozen versions, uploaded files, the audit
trail and the mail log — as one ZIP archive, and back into another instance.

The archive holds `manifest.json` and `files/<stored name>`. Rows refer to each other by natural
keys (member state codes, email addresses) so ids are remapped on import.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from datetime import datetime

from . import clock, invitations
from . import documents as document_store
from .calls import apply_definition, to_definition
from .db import db
from .member_states import ensure
from .models import AuditEvent, Call, Document, OutboxMessage, Submission, SubmissionVersion, User
from .sections import kind_of

FORMAT = "missiva-call-archive/1"


class ArchiveError(ValueError):
    pass


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _email(user_id: int | None, users: dict[int, User]) -> str | None:
    return users[user_id].email if user_id in users else None


def export(call: Call) -> bytes:
    submissions = sorted(call.submissions, key=lambda s: s.mission.code)
    sub_ids = [s.id for s in submissions]
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.call_id == call.id)
                                .order_by(AuditEvent.id)).all()
    docs = db.session.scalars(db.select(Document).where(Document.submission_id.in_(sub_ids))).all()
    mails = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.call_id == call.id)
                               .order_by(OutboxMessage.id)).all()
    user_ids = {e.actor_id for e in events} | {d.uploaded_by_id for d in docs}
    user_ids |= {v.submitted_by_id for s in submissions for v in s.versions}
    user_ids |= {u.id for s in submissions for u in s.mission.focal_points}
    users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(user_ids - {None})))}
    manifest = {
        "format": FORMAT,
        "call": {**to_definition(call), "status": call.status, "created_at": _iso(call.created_at),
                 "mail_templates": call.mail_templates, "former_sections": call.former_sections},
        "missions": [{"code": s.mission.code, "name": s.mission.name, "language": s.mission.language,
                      "timezone": s.mission.timezone, "representative_name": s.mission.representative_name,
                      "representative_email": s.mission.representative_email} for s in submissions],
        "users": [{"email": u.email, "name": u.name, "role": u.role, "locale": u.locale, "timezone": u.timezone,
                   "mission": u.mission.code if u.mission else None, "password_hash": u.password_hash,
                   "digest": u.digest, "active": u.active} for u in users.values()],
        "submissions": [{
            "mission": s.mission.code, "state": s.state, "late": s.late, "content": s.content,
            "lock_version": s.lock_version, "deadline_override": _iso(s.deadline_override),
            "submitted_at": _iso(s.submitted_at), "last_activity_at": _iso(s.last_activity_at),
            "return_comment": s.return_comment,
            "versions": [{"number": v.number, "content": v.content, "submitted_at": _iso(v.submitted_at),
                          "submitted_by": _email(v.submitted_by_id, users), "late": v.late,
                          "provenance": v.provenance, "provenance_note": v.provenance_note} for v in s.versions],
        } for s in submissions],
        "documents": [{"id": d.id, "mission": d.submission.mission.code, "section_key": d.section_key,
                       "slot_key": d.slot_key, "original_name": d.original_name, "stored_name": d.stored_name,
                       "content_type": d.content_type, "size": d.size, "sha256": d.sha256,
                       "uploaded_at": _iso(d.uploaded_at), "uploaded_by": _email(d.uploaded_by_id, users)}
                      for d in docs],
        "audit": [{"at": _iso(e.at), "actor": _email(e.actor_id, users), "actor_label": e.actor_label,
                   "action": e.action, "mission": e.submission.mission.code if e.submission else None,
                   "from_state": e.from_state, "to_state": e.to_state, "detail": e.detail, "ip": e.ip}
                  for e in events],
        "mail": [{"key": m.key, "kind": m.kind, "recipient": m.recipient, "subject": m.subject,
                  "body_text": invitations.redact(m.body_text), "language": m.language, "state": m.state,
                  "attempts": m.attempts,
                  "smtp_response": m.smtp_response, "last_error": m.last_error,
                  "mission": m.mission.code if m.mission else None,
                  "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at)} for m in mails],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for d in docs:
            path = document_store.path_of(d)
            if path.exists():
                archive.write(path, f"files/{d.stored_name}")
    return buffer.getvalue()


def _remap_files(sections: list[dict], content: dict, ids: dict[int, int]) -> dict:
    content = copy.deepcopy(content)
    for section in sections:
        files = kind_of(section).attached(content.get(section["key"], {}))
        for slot, old in list(files.items()):
            files[slot] = ids.get(old)
    return content


def restore(data: bytes) -> Call:
    """Import an archive made by `export` (the call's slug must not exist here). Caller commits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ArchiveError("not a Missiva call archive") from exc
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"unknown archive format {manifest.get('format')!r}")
    spec = manifest["call"]
    if db.session.scalar(db.select(Call).filter_by(slug=spec["slug"])):
        raise ArchiveError(f"a call with slug {spec['slug']} already exists here")

    missions = {}
    for m in manifest["missions"]:
        mission = ensure(m["code"], m["language"], m["timezone"])
        mission.representative_name = mission.representative_name or m["representative_name"]
        mission.representative_email = mission.representative_email or m["representative_email"]
        missions[m["code"]] = mission
    db.session.flush()
    users = {}
    for u in manifest["users"]:
        user = db.session.scalar(db.select(User).filter_by(email=u["email"]))
        if user is None:
            user = User(email=u["email"], name=u["name"], role=u["role"], locale=u["locale"],
                        timezone=u["timezone"], password_hash=u["password_hash"], digest=u["digest"],
                        active=u["active"], mission=missions.get(u["mission"]) or (
                            ensure(u["mission"]) if u["mission"] else None))
            db.session.add(user)
        users[u["email"]] = user
    db.session.flush()

    call = apply_definition(Call(status=spec["status"]), spec)
    call.created_at, call.mail_templates = _moment(spec["created_at"]) or clock.now(), spec.get("mail_templates") or {}
    call.former_sections = spec.get("former_sections")
    db.session.add(call)
    db.session.flush()
    subs = {}
    for s in manifest["submissions"]:
        sub = Submission(call=call, mission=missions[s["mission"]], state=s["state"], late=s["late"],
                         content={}, lock_version=s["lock_version"],
                         deadline_override=_moment(s["deadline_override"]), submitted_at=_moment(s["submitted_at"]),
                         last_activity_at=_moment(s["last_activity_at"]), return_comment=s["return_comment"])
        db.session.add(sub)
        subs[s["mission"]] = (sub, s)
    db.session.flush()
    ids = {}
    for d in manifest["documents"]:
        payload = archive.read(f"files/{d['stored_name']}")
        if hashlib.sha256(payload).hexdigest() != d["sha256"]:
            raise ArchiveError(f"file {d['original_name']} is damaged in the archive")
        target = document_store.folder() / d["stored_name"]
        target.write_bytes(payload)
        document = Document(submission=subs[d["mission"]][0], section_key=d["section_key"], slot_key=d["slot_key"],
                            original_name=d["original_name"], stored_name=d["stored_name"],
                            content_type=d["content_type"], size=d["size"], sha256=d["sha256"],
                            uploaded_at=_moment(d["uploaded_at"]),
                            uploaded_by_id=users[d["uploaded_by"]].id if d["uploaded_by"] in users else None)
        db.session.add(document)
        db.session.flush()
        ids[d["id"]] = document.id
    for sub, s in subs.values():
        sub.content = _remap_files(call.sections, s["content"], ids)
        for v in s["versions"]:
            db.session.add(SubmissionVersion(
                submission=sub, number=v["number"], content=_remap_files(call.sections, v["content"], ids),
                submitted_at=_moment(v["submitted_at"]), late=v["late"], provenance=v["provenance"],
                provenance_note=v["provenance_note"],
                submitted_by_id=users[v["submitted_by"]].id if v["submitted_by"] in users else None))
    for e in manifest["audit"]:
        db.session.add(AuditEvent(
            at=_moment(e["at"]), actor_id=users[e["actor"]].id if e["actor"] in users else None,
            actor_label=e["actor_label"], action=e["action"], call_id=call.id,
            submission_id=subs[e["mission"]][0].id if e["mission"] in subs else None,
            from_state=e["from_state"], to_state=e["to_state"], detail=e["detail"], ip=e["ip"]))
    for m in manifest["mail"]:
        if db.session.scalar(db.select(OutboxMessage.id).filter_by(key=m["key"])) is None:
            db.session.add(OutboxMessage(
                key=m["key"], kind=m["kind"], recipient=m["recipient"], subject=m["subject"],
                body_text=m["body_text"], language=m["language"],
                state=m["state"] if m["state"] in ("sent", "failed") else "failed",
                attempts=m["attempts"], smtp_response=m["smtp_response"], call_id=call.id,
                last_error=m["last_error"] if m["state"] in ("sent", "failed") else "not sent before the backup",
                mission_id=missions[m["mission"]].id if m["mission"] in missions else None,
                created_at=_moment(m["created_at"]), sent_at=_moment(m["sent_at"])))
    return call
