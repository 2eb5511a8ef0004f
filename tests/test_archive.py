"""A call's backup round-trips into an empty instance: answers, versions, files, audit, mail."""
from __future__ import annotations

import hashlib

from flask_migrate import upgrade

from app import create_app
from workflow import documents
from workflow.calls import to_definition, update_call
from workflow.db import db
from workflow.models import AuditEvent, Call, Document, OutboxMessage
from workflow.submissions import amend, save, submit

from . import factories
from .conftest import ROOT
from .factories import filled

PDF = "%PDF-1.4\nInforme nacional: legislación ñ\n%%EOF\n".encode()


def snapshot():
    call = db.session.scalar(db.select(Call))
    subs = sorted(call.submissions, key=lambda s: s.mission.code)
    docs = {d.original_name: (d.sha256, documents.path_of(d).read_bytes()) for d in db.session.scalars(db.select(Document))}
    return {
        "call": (call.slug, call.reference, call.deadline, call.sections, call.former_sections),
        "subs": [(s.mission.code, s.state, s.late, [(v.number, v.provenance, v.submitted_by.email if v.submitted_by else None,
                  v.content["experts"]) for v in s.versions]) for s in subs],
        "docs": docs,
        "audit": [(e.action, e.actor_label, e.from_state, e.to_state, e.ip)
                  for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.call_id == call.id)
                                              .order_by(AuditEvent.id))],
        "mail": sorted(m.key for m in db.session.scalars(db.select(OutboxMessage))),
    }


def test_backup_round_trips_into_an_empty_instance(app, runner, tmp_path):
    w = factories.world()
    call = w["call"]
    sub = factories.submission_of(call, w["ar"])
    content = filled(call)
    slot = call.section("country_report")["documents"][0]
    doc = documents.store(PDF, "Informe nacional.pdf", submission=sub, section_key="country_report", slot=slot,
                          actor=w["ar"])
    content["country_report"] = {"files": {"developments": doc.id}}
    content["experiences"] = {"areas": {"legislation": {"present": True, "description": "Ley 26.388"}}}
    save(sub, content, w["ar"], lock_version=0)
    submit(sub, w["ar"])
    amend(sub, w["ar"])
    content["experts"]["experts"][0]["name"] = "Ana Souza Lima"
    save(sub, content, w["ar"], lock_version=sub.lock_version)
    submit(sub, w["ar"])
    db.session.commit()
    update_call(call, {**to_definition(call), "sections": [s for s in call.sections if s["key"] != "experiences"]},
                w["officer"])  # the section Argentina answered is taken off, kept for the report
    db.session.commit()
    assert call.former_sections
    before = snapshot()
    archive_path = tmp_path / "backup.zip"
    result = runner.invoke(args=["missiva", "backup-call", call.slug, "-o", str(archive_path)])
    assert result.exit_code == 0, result.output

    other = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'restored.sqlite'}",
                        "UPLOAD_FOLDER": str(tmp_path / "restored-uploads")})
    with other.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        result = other.test_cli_runner().invoke(args=["missiva", "restore-call", str(archive_path)])
        assert result.exit_code == 0, result.output
        after = snapshot()
        again = other.test_cli_runner().invoke(args=["missiva", "restore-call", str(archive_path)])
        assert again.exit_code != 0 and "already exists" in again.output
        db.session.remove()
    assert after == before
    assert after["docs"]["Informe nacional.pdf"][0] == hashlib.sha256(PDF).hexdigest()
    assert len(after["audit"]) >= 5 and len(after["subs"][0][3]) == 2
