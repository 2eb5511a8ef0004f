"""The whole path through HTTP: draft, submit, review, return, amend, resubmit, accept."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import openpyxl

from workflow import clock
from workflow.db import db
from workflow.models import AuditEvent

from . import factories


def experts_form(call_id, **extra):
    """The shared filled-in answer, with a comment on agenda item 4 too."""
    return factories.answer_form(**{"agenda-item_4": "Proponemos incluir la cooperación con el sector privado.",
                                    **extra})


def test_draft_submit_return_amend_accept(app, client, make_client, database):
    w = factories.world()
    call = w["call"]
    url = f"/portal/calls/{call.id}"

    mission = client.sign_in("focal@ar.example")
    page = mission.get("/portal/")
    assert call.reference in page.get_data(as_text=True)

    # A draft keeps everything typed.
    response = mission.post(url, experts_form(call.id, action="save"))
    assert response.status_code == 302
    page = mission.get(url).get_data(as_text=True)
    assert "María José Núñez" in page and "Ley 26.388" in page and "sector privado" in page
    assert "You submitted this answer before" not in page

    # Submitting gives a numbered receipt.
    response = mission.post(url, experts_form(call.id, action="submit", lock_version="1"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    receipt = mission.get(response.headers["Location"]).get_data(as_text=True)
    assert "CIBER-V/doc.1/07 · AR · 1" in receipt

    # The officer finds it in the queue and returns it with a comment.
    officer = make_client().sign_in("officer@sec.example")
    queue = officer.get(f"/secretariat/queue?call={call.id}&state=submitted").get_data(as_text=True)
    assert "Argentin" in queue
    sub = factories.submission_of(call, w["ar"])
    officer.get(f"/secretariat/submissions/{sub.id}")
    response = officer.post(f"/secretariat/submissions/{sub.id}/return",
                            {"comment": "Please add the expert's title in English."})
    assert response.status_code == 302
    db.session.refresh(sub)
    assert sub.state == "returned"

    # The mission sees the comment, amends and resubmits.
    page = mission.get(url).get_data(as_text=True)
    assert "Please add the expert&#39;s title in English." in page
    assert "You submitted this answer before; the secretariat keeps every version it received." in page
    form = experts_form(call.id, action="submit", lock_version=str(sub.lock_version))
    form["experts-experts-0-title"] = "Specialized prosecutor"
    response = mission.post(url, form)
    assert response.status_code == 302
    assert mission.get(response.headers["Location"]).status_code == 200

    # The officer sees both versions, what changed, and accepts.
    page = officer.get(f"/secretariat/submissions/{sub.id}").get_data(as_text=True)
    assert "Version 1" in page and "Version 2" in page and "changed in this version" in page
    old = officer.get(f"/secretariat/submissions/{sub.id}?version=1").get_data(as_text=True)
    assert "Fiscal especializada" in old  # what the secretariat first saw is kept
    assert "Accept version" not in old and "Review the latest version (2)" in old  # never accept an old one
    assert "Accept version 2" in page
    unconfirmed = officer.post(f"/secretariat/submissions/{sub.id}/accept", {"version": "2"})
    stale = officer.post(f"/secretariat/submissions/{sub.id}/accept", {"version": "1", "confirm": "y"})
    assert unconfirmed.status_code == stale.status_code == 302
    db.session.refresh(sub)
    assert sub.state == "submitted"  # neither an unconfirmed nor a stale acceptance counts
    assert officer.post(f"/secretariat/submissions/{sub.id}/accept", {"version": "2", "confirm": "y"}).status_code == 302
    db.session.refresh(sub)
    assert sub.state == "accepted"
    assert [v.content["experts"]["experts"][0]["title"] for v in sub.versions] == [
        "Fiscal especializada", "Specialized prosecutor"]

    trail = db.session.scalars(db.select(AuditEvent).filter_by(submission_id=sub.id)
                               .order_by(AuditEvent.id)).all()
    expected = [
        ("save", "not_started", "draft", "focal@ar.example"),
        ("save", "draft", "draft", "focal@ar.example"),
        ("submit", "draft", "submitted", "focal@ar.example"),
        ("return", "submitted", "returned", "officer@sec.example"),
        ("save", "returned", "draft", "focal@ar.example"),
        ("submit", "draft", "submitted", "focal@ar.example"),
        ("accept", "submitted", "accepted", "officer@sec.example"),
    ]
    assert [(e.action, e.from_state, e.to_state, e.actor_label) for e in trail] == expected
    assert trail[3].detail["comment"] == "Please add the expert's title in English."
    assert all(e.ip == "127.0.0.1" for e in trail)
    page = officer.get(f"/secretariat/submissions/{sub.id}").get_data(as_text=True)
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>\s*<td>([^<(]+?)(?: \(|</td>)", page.split('class="audit"')[1])
    words = {"save": "Draft saved", "submit": "Submitted", "return": "Returned to the mission", "accept": "Accepted"}
    assert rows == [(who, words[action]) for action, _, _, who in expected]  # the audit trail, in plain words
    assert "Submitted (draft → submitted)" in page and "Draft saved (draft → draft)" not in page


def test_submit_with_problems_saves_draft_and_marks_fields(app, client):
    w = factories.world()
    url = f"/portal/calls/{w['call'].id}"
    client.sign_in("focal@ar.example")
    client.get(url)
    form = experts_form(w["call"].id, action="submit")
    form["experts-experts-0-email"] = "not-an-address"
    form["experts-experts-0-institution"] = ""
    form["experiences-other-present"] = "y"
    response = client.post(url, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This does not look like an email address." in page
    assert "Say which issue the expert would present." in page
    assert "Give the expert&#39;s institution." in page
    assert 'value="not-an-address"' in page and "María José Núñez" in page  # nothing typed is lost
    sub = factories.submission_of(w["call"], w["ar"])
    assert sub.state == "draft" and sub.content["experts"]["experts"][0]["email"] == "not-an-address"


def test_an_answer_received_by_fax_is_dated_by_its_arrival_kept_with_its_original_and_read_twice(app, make_client):
    """The fax arrived before the deadline and was typed in two days after it: it is on time. The
    scan is kept, the officer who typed it cannot also accept it, another officer can."""
    w = factories.world()
    call = w["call"]
    sub = factories.submission_of(call, w["br"])
    factories.user("second.officer@sec.example", role="officer")
    officer = make_client().sign_in("officer@sec.example")
    url = f"/secretariat/submissions/{sub.id}/enter"
    page = officer.get(url).get_data(as_text=True)
    assert "Received on (date and time, in the call&#39;s time zone)" in page and "Scanned original" in page
    fax_day = clock.to_zone(call.deadline - timedelta(days=1), call.timezone).strftime("%Y-%m-%dT%H:%M")
    typed = experts_form(call.id, action="submit", provenance="fax", provenance_note="Note verbale 123/07")

    with clock.frozen_at(call.deadline + timedelta(days=2)):
        missing = officer.post(url, typed)  # when it arrived is not said
        assert missing.status_code == 422
        assert "Say when the secretariat received this answer." in missing.get_data(as_text=True)
        future = officer.post(url, {**typed, "received_on": "2099-01-01T10:00", "lock_version": "1"})
        assert "This date is in the future" in future.get_data(as_text=True)
        response = officer.post(url, {**typed, "received_on": fax_day, "lock_version": "2",
                                      "original": (io.BytesIO(factories.PDF), "fax 123-07.pdf")})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(sub)
    version = sub.latest_version
    assert (sub.state, version.provenance, version.submitted_by.email) == ("submitted", "fax", "officer@sec.example")
    assert version.provenance_note == "Note verbale 123/07"
    assert version.received_at == call.deadline - timedelta(days=1) and version.submitted_at > call.deadline
    assert not version.late and not sub.late  # the fax's day decides, not the day it was typed
    assert version.original_document.original_name == "fax 123-07.pdf"

    page = officer.get(f"/secretariat/submissions/{sub.id}").get_data(as_text=True)
    assert "Fax" in page and "Note verbale 123/07" in page and "scanned original" in page
    assert "another officer must accept it" in page and "Accept version 1" not in page
    assert "Received through: Fax; Version: 1; Reference: Note verbale 123/07; Received: " in page  # audit, in words
    assert "Scanned original: fax 123-07.pdf" in page
    refused = officer.post(f"/secretariat/submissions/{sub.id}/accept", {"version": "1", "confirm": "y"})
    assert refused.status_code == 302
    db.session.refresh(sub)
    assert sub.state == "submitted"
    assert officer.get(f"/portal/documents/{version.original_document_id}").data == factories.PDF

    second = make_client().sign_in("second.officer@sec.example")
    assert "Accept version 1" in second.get(f"/secretariat/submissions/{sub.id}").get_data(as_text=True)
    second.post(f"/secretariat/submissions/{sub.id}/accept", {"version": "1", "confirm": "y"})
    db.session.refresh(sub)
    assert sub.state == "accepted"


def test_the_rule_of_two_readers_can_be_turned_off(app, make_client):
    w = factories.world()
    app.config["SEPARATE_ENTRY_AND_ACCEPTANCE"] = False
    sub = factories.submission_of(w["call"], w["br"])
    officer = make_client().sign_in("officer@sec.example")
    officer.get(f"/secretariat/submissions/{sub.id}/enter")
    officer.post(f"/secretariat/submissions/{sub.id}/enter", experts_form(
        w["call"].id, action="submit", provenance="email", received_on="2026-01-05T09:00"))
    officer.post(f"/secretariat/submissions/{sub.id}/accept", {"version": "1", "confirm": "y"})
    db.session.refresh(sub)
    assert sub.state == "accepted"


def test_a_save_refused_by_a_closed_call_or_a_passed_deadline_keeps_the_typed_text(app, client):
    w = factories.world()
    call, url = w["call"], f"/portal/calls/{w['call'].id}"
    client.sign_in("focal@ar.example")
    client.get(url)
    call.status = "closed"
    db.session.commit()
    typed = experts_form(call.id, action="save", **{"agenda-general": "Texto escrito antes del cierre"})
    closed = client.post(url, typed)
    page = closed.get_data(as_text=True)
    assert closed.status_code == 409 and "This call is closed" in page
    assert "Texto escrito antes del cierre" in page and "María José Núñez" in page

    call.status, call.accept_late = "open", False
    call.deadline = datetime(2020, 1, 1)
    db.session.commit()
    late = client.post(url, typed)
    assert late.status_code == 409 and "The deadline has passed" in late.get_data(as_text=True)
    assert "Texto escrito antes del cierre" in late.get_data(as_text=True)
    assert factories.submission_of(call, w["ar"]).state == "not_started"  # and nothing was stored


def test_the_officer_sees_each_value_that_changed_between_versions(app, make_client):
    w = factories.world()
    call = w["call"]
    url = f"/portal/calls/{call.id}"
    mission = make_client().sign_in("focal@ar.example")
    mission.post(url, experts_form(call.id, action="submit"))
    sub = factories.submission_of(call, w["ar"].mission)
    officer = make_client().sign_in("officer@sec.example")
    officer.get(f"/secretariat/submissions/{sub.id}")
    officer.post(f"/secretariat/submissions/{sub.id}/return", {"comment": "Cargo y segundo experto."})
    db.session.refresh(sub)

    form = experts_form(call.id, action="submit", lock_version=str(sub.lock_version))
    form.update({"experts-experts-0-title": "Fiscal Federal", "experts-experts-1-name": "Ana Pérez",
                 "experts-experts-1-title": "Comisaria", "experts-experts-1-institution": "Policía Federal",
                 "experts-experts-1-email": "aperez@pfa.example", "experts-experts-1-role": "delegate",
                 "experiences-legislation-present": ""})
    assert mission.post(url, form).status_code == 302

    page = officer.get(f"/secretariat/submissions/{sub.id}").get_data(as_text=True)
    assert "What changed from version 1 to version 2" in page
    assert re.search(r"Expert 1 · Title or post</td>\s*<td[^>]*><del>Fiscal especializada</del></td>\s*"
                     r"<td[^>]*><ins>Fiscal Federal</ins>", page)
    assert re.search(r"Expert 2</td>\s*<td[^>]*><span class=\"empty\">nothing</span></td>\s*"
                     r"<td[^>]*><ins>Ana Pérez, Comisaria, Policía Federal</ins>", page)  # an expert added
    assert re.search(r"The expert would like to present on this</td>\s*<td[^>]*><del>Yes</del></td>\s*"
                     r"<td[^>]*><ins>No</ins>", page)  # a choice, in words
    assert "Ministerio Público Fiscal</del>" not in page  # what did not change is not listed

    workbook = openpyxl.load_workbook(io.BytesIO(officer.get(f"/secretariat/submissions/{sub.id}/changes-2.xlsx").data))
    rows = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert rows[0] == ["Section", "Answer", "Version 1", "Version 2"]
    title = next(r for r in rows if r[1] == "Expert 1 · Title or post")
    assert title[2:] == ["Fiscal especializada", "Fiscal Federal"]
    cells = next(r for r in workbook.active.iter_rows() if r[1].value == "Expert 1 · Title or post")
    assert cells[2].font.strike and cells[3].font.underline == "single"  # as <del> and <ins>
    assert officer.get(f"/secretariat/submissions/{sub.id}/changes-1.xlsx").status_code == 404
    assert mission.get(f"/secretariat/submissions/{sub.id}/changes-2.xlsx").status_code in (302, 403)
