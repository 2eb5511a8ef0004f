"""The secretariat's mail actions through HTTP: invitations, reminders now, extensions, wording."""
from __future__ import annotations

import mailbox
import re
from datetime import timedelta

from workflow import clock, deadlines, outbox
from workflow.db import db
from workflow.models import AuditEvent, OutboxMessage

from . import factories
from .conftest import drain

CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def test_invitations_reminders_now_and_extension(app, smtp, make_client):
    w = factories.world()
    call = w["call"]
    officer = make_client().sign_in("officer@sec.example")
    page = officer.get(f"/secretariat/calls/{call.id}").get_data(as_text=True)
    assert "Send a reminder now" in page
    officer.post(f"/secretariat/calls/{call.id}/invite")
    officer.post(f"/secretariat/calls/{call.id}/invite")  # twice: each person is invited once
    assert drain() == {"sent": 3}
    invitation = smtp.to("focal@ar.example")[0]
    link = next(line for line in invitation.get_body(("plain",)).get_content().splitlines() if "/sign-in/" in line)

    # The invitation link signs the focal point in and opens the call.
    mission = make_client()
    path = link.split("missiva.example", 1)[1]
    assert mission.get(path).status_code == 200
    response = mission.post(path)
    assert response.headers["Location"] == f"/portal/calls/{call.id}"

    br = factories.submission_of(call, w["br"])
    officer.get(f"/secretariat/calls/{call.id}")
    officer.post(f"/secretariat/calls/{call.id}/remind", {"submission": [str(br.id)]})
    assert drain() == {"sent": 1}
    assert smtp.to("focal@br.example")[-1]["Subject"].startswith("Reminder: CIBER-V/doc.1/07")
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="reminder_sent_now"))
    assert event.actor.email == "officer@sec.example" and event.detail["missions"] == ["BR"]

    # An extension moves that mission's deadline: the portal shows it, the sweep follows it.
    local = clock.to_zone(call.deadline + timedelta(days=7), call.timezone).strftime("%Y-%m-%dT%H:%M")
    officer.get(f"/secretariat/submissions/{br.id}")
    officer.post(f"/secretariat/submissions/{br.id}/extension", {"deadline": local, "action": "set"})
    db.session.refresh(br)
    assert br.deadline == call.deadline + timedelta(days=7)
    page = make_client().sign_in("focal@br.example").get("/portal/").get_data(as_text=True)
    assert "Extended for your mission" in page
    with clock.frozen_at(call.deadline + timedelta(days=1)):
        deadlines.sweep()
    db.session.commit()
    db.session.refresh(br)
    assert not br.late
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="deadline_extended")).submission_id == br.id


def test_wording_is_edited_previewed_and_used(app, smtp, make_client):
    w = factories.world()
    call = w["call"]
    officer = make_client().sign_in("officer@sec.example")
    url = f"/secretariat/calls/{call.id}/wording?kind=reminder&language=es"
    officer.get(url)
    bad = officer.post(url, {"subject": "Recordatorio {{ call_reference }}", "body": "{{ nope }}",
                             "preview_for": "", "action": "preview"})
    assert bad.status_code == 422 and "This text cannot be used" in bad.get_data(as_text=True)
    sneaky = officer.post(url, {"subject": "x", "body": "{{ link.__class__.__mro__ }}", "action": "preview"})
    assert sneaky.status_code == 422  # the sandbox refuses
    body = "Estimada misión de {{ state_name }}: esperamos su respuesta antes del {{ deadline }}.\n{{ link }}"
    preview = officer.post(url, {"subject": "Recordatorio {{ call_reference }}", "body": body, "action": "preview"})
    assert "Estimada misión de Argentina" in preview.get_data(as_text=True)
    officer.post(url, {"subject": "Recordatorio {{ call_reference }}", "body": body, "action": "save"})
    db.session.refresh(call)
    w["ar"].locale = "es"
    db.session.commit()
    ar = factories.submission_of(call, w["ar"])
    from workflow import notifications

    notifications.queue_for(ar, "reminder", "reminder:test", only=[w["ar"], w["ar2"]])
    db.session.commit()
    drain()
    spanish = smtp.to("focal@ar.example")[0]
    assert spanish["Subject"] == "Recordatorio CIBER-V/doc.1/07"
    assert "Estimada misión de Argentina" in spanish.get_body(("plain",)).get_content()
    english = smtp.to("second@ar.example")[0]  # an English-speaking focal point gets the standard text
    assert english["Subject"].startswith("Reminder:")


def test_request_link_does_not_reveal_addresses(app, smtp, client):
    factories.world()
    client.get("/sign-in-link")
    known = client.post("/sign-in-link", {"email": "focal@ar.example"}).get_data(as_text=True)
    unknown = client.post("/sign-in-link", {"email": "nobody@ar.example"}).get_data(as_text=True)
    def same(page, email):  # CSRF tokens carry the second they were made in
        return CSRF_VALUE.sub("", page.replace(email, "X"))

    assert same(known, "focal@ar.example") == same(unknown, "nobody@ar.example")
    assert drain() == {"sent": 1}
    assert db.session.scalar(db.select(OutboxMessage)).recipient == "focal@ar.example"


def mail_about_two_calls():
    """One message about CIBER-V and one about the workshop; returns the workshop call."""
    w = factories.world()
    other = factories.call_from_file("regional-workshop-2008.yaml", addressed=["BR"], deadline="2030-10-01 17:00")
    outbox.queue(key="a", kind="reminder", recipient="x@ar.example", subject="About CIBER", text="t", call=w["call"])
    outbox.queue(key="b", kind="reminder", recipient="y@br.example", subject="About the workshop", text="t",
                 call=other)
    db.session.commit()
    return other


def test_the_outbox_is_filtered_by_call_and_pages_carry_an_icon(app, client):
    other = mail_about_two_calls()
    client.sign_in("officer@sec.example")
    page = client.get(f"/secretariat/outbox?call={other.id}").get_data(as_text=True)
    assert "About the workshop" in page and "About CIBER" not in page
    both = client.get("/secretariat/outbox").get_data(as_text=True)
    assert "About the workshop" in both and "About CIBER" in both
    assert 'rel="icon"' in both and client.get("/static/favicon.svg").status_code == 200


def test_the_mail_sink_is_filtered_by_call(app, client, smtp, tmp_path):
    other = mail_about_two_calls()
    drain()
    sink = mailbox.Maildir(str(tmp_path / "sink"), create=True)
    for _, _, message in smtp.messages:  # what the sink would have caught, as sent
        sink.add(message.as_bytes())
    app.config["MAIL_SINK_FOLDER"] = str(tmp_path / "sink")
    client.sign_in("officer@sec.example")
    page = client.get(f"/secretariat/mail-sink?call={other.id}").get_data(as_text=True)
    assert "About the workshop" in page and "About CIBER" not in page
    both = client.get("/secretariat/mail-sink").get_data(as_text=True)
    assert "About the workshop" in both and "About CIBER" in both
