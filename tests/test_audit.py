"""Every secretariat action leaves an audit event with who, when and from where; none can be
changed afterwards, not even by a direct SQL statement."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from workflow.db import db
from workflow.models import AuditEvent

from . import factories
from .builder_page import posted


def test_secretariat_actions_are_audited(app, smtp, make_client):
    w = factories.world()
    app.config["SEPARATE_ENTRY_AND_ACCEPTANCE"] = False  # one officer walks through every action here
    call = w["call"]
    ar, br = factories.submission_of(call, w["ar"]), factories.submission_of(call, w["br"])
    officer = make_client().sign_in("officer@sec.example")
    mission = make_client().sign_in("focal@ar.example")
    mission.get(f"/portal/calls/{call.id}")
    submitted = mission.post(f"/portal/calls/{call.id}", factories.answer_form(action="submit"))
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[-3000:]

    officer.get("/secretariat/")
    steps = [
        (f"/secretariat/submissions/{ar.id}/return", {"comment": "Falta el título."}, "return"),
        (f"/secretariat/submissions/{br.id}/enter", factories.answer_form(action="submit", provenance="fax",
                                                                           received_on="2026-01-05T09:00"), "submit"),
        (f"/secretariat/submissions/{br.id}/accept", {"version": "1", "confirm": "y"}, "accept"),
        (f"/secretariat/submissions/{ar.id}/extension", {"deadline": "2031-01-15T12:00", "action": "set"},
         "deadline_extended"),
        (f"/secretariat/calls/{call.id}/invite", {}, "invitations_sent"),
        (f"/secretariat/calls/{call.id}/remind", {"submission": [str(ar.id)]}, "reminder_sent_now"),
        (f"/secretariat/calls/{call.id}/wording?kind=reminder&language=en",
         {"subject": "S {{ call_reference }}", "body": "B {{ link }}", "action": "save"}, "wording_changed"),
        (f"/secretariat/calls/{call.id}/clone", {"slug": "ciber-vi", "reference": "CIBER-VI", "days": "365"},
         "call_cloned"),
        ("/secretariat/calls/import", {"file": (io.BytesIO((factories.CALLS / "regional-workshop-2008.yaml")
                                                           .read_bytes()), "w.yaml")}, "call_imported"),
        (f"/secretariat/calls/{call.id}/wording?kind=reminder&language=en",
         {"subject": "S", "body": "B", "action": "reset"}, "wording_reset"),
        (f"/secretariat/calls/{call.id}/reports", {"basis": "submitted"}, "report_requested"),
        (f"/secretariat/calls/{call.id}/edit", posted(officer, f"/secretariat/calls/{call.id}/edit",
                                                      reference="CIBER-V/doc.1/07/Rev.1"), "call_edited"),
    ]
    for url, data, action in steps:
        officer.get("/secretariat/")
        response = officer.post(url, data, content_type="multipart/form-data" if "file" in data else None)
        assert response.status_code == 302, (url, response.status_code, response.get_data(as_text=True)[:500])
        event = db.session.scalars(db.select(AuditEvent).filter_by(action=action)
                                   .order_by(AuditEvent.id.desc())).first()
        assert event is not None, action
        assert (event.actor_label, event.ip) == ("officer@sec.example", "127.0.0.1"), action
        assert event.at is not None
    entered = db.session.scalars(db.select(AuditEvent).filter_by(action="submit", submission_id=br.id)).one()
    assert entered.detail["provenance"] == "fax"
    db.session.refresh(call)
    assert call.reference == "CIBER-V/doc.1/07/Rev.1"


def test_signing_in_and_out_is_audited(app, make_client):
    factories.world()
    person = make_client().sign_in("focal@ar.example")
    signed_in = db.session.scalar(db.select(AuditEvent).filter_by(action="signed_in"))
    assert (signed_in.actor_label, signed_in.ip) == ("focal@ar.example", "127.0.0.1")
    person.post("/logout", {})
    signed_out = db.session.scalar(db.select(AuditEvent).filter_by(action="signed_out"))
    assert signed_out.actor_label == "focal@ar.example"
    stranger = make_client()
    stranger.get("/login")
    stranger.post("/login", {"email": "focal@ar.example", "password": "wrong"})
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "signed_in")) == 1


def test_the_trail_cannot_be_edited(app):
    factories.world()
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) >= 1
    for statement in ("UPDATE audit_event SET actor_label = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
            db.session.flush()
        db.session.rollback()
