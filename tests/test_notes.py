"""Internal notes on a submission: the secretariat writes and reads them; missions never see them."""
from __future__ import annotations

from workflow.db import db
from workflow.models import AuditEvent

from . import factories


def test_officers_keep_internal_notes_that_the_mission_never_sees(app, make_client):
    w = factories.world()
    call = w["call"]
    mission = make_client().sign_in("focal@ar.example")
    mission.post(f"/portal/calls/{call.id}", factories.answer_form(action="submit"))
    sub = factories.submission_of(call, w["ar"].mission)

    officer = make_client().sign_in("officer@sec.example")
    officer.get(f"/secretariat/submissions/{sub.id}")
    empty = officer.post(f"/secretariat/submissions/{sub.id}/notes", {"text": "  "})
    assert empty.status_code == 422
    assert "Write the note before you add it." in empty.get_data(as_text=True)

    note = "Llamé a la Misión: el experto confirma su asistencia, pendiente el pasaporte."
    response = officer.post(f"/secretariat/submissions/{sub.id}/notes", {"text": note})
    assert response.status_code == 302
    page = officer.get(f"/secretariat/submissions/{sub.id}").get_data(as_text=True)
    assert note in page and "the mission never sees these notes" in page
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="note_added"))
    assert event.actor.email == "officer@sec.example" and event.submission_id == sub.id
    assert "Internal note added" in page  # in the audit trail, in words

    # The mission cannot read a note anywhere, nor write one.
    for path in ("/portal/", f"/portal/calls/{call.id}", f"/portal/calls/{call.id}/receipt/1"):
        assert "pasaporte" not in mission.get(path).get_data(as_text=True)
    refused = mission.post(f"/secretariat/submissions/{sub.id}/notes", {"text": "de la Misión"})
    assert refused.status_code in (403, 404)
    assert "de la Misión" not in officer.get(f"/secretariat/submissions/{sub.id}").get_data(as_text=True)
