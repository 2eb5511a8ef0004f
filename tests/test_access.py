"""Who may read what, asked of workflow/access.py directly and through every page a focal point
opens: every private field of mission A carries a marker, and mission B's pages show none of them."""
from __future__ import annotations

import io
from datetime import datetime

from workflow import access, clock
from workflow.db import db
from workflow.submissions import Arrival, extend_deadline, return_to_mission, save, submit

from . import factories

MARKERS = {
    "experts-experts-0-name": "MARK-A-NAME", "experts-experts-0-title": "MARK-A-TITLE",
    "experts-experts-0-institution": "MARK-A-INSTITUTION", "experts-experts-0-email": "mark-a@ar.example",
    "experts-experts-0-phone": "MARK-A-PHONE", "experiences-legislation-description": "MARK-A-AREA",
    "agenda-general": "MARK-A-GENERAL", "agenda-item_4": "MARK-A-ITEM",
}
RETURN_COMMENT = "MARK-A-RETURN-COMMENT"
FILE_NAME = "mark-a-informe.pdf"
NOTE = "MARK-A-PROVENANCE-NOTE"


def _mission_a_with_everything(w, make_client):
    """A's answer: submitted with a file (version 1), returned with a comment, amended (version 2,
    entered by the secretariat with a provenance note), and given an extension."""
    call = w["call"]
    a = make_client().sign_in("focal@ar.example")
    a.get(f"/portal/calls/{call.id}")
    form = {**factories.answer_form(action="submit"), **MARKERS,
            "country_report-developments": (io.BytesIO(factories.PDF), FILE_NAME)}
    assert a.post(f"/portal/calls/{call.id}", form, content_type="multipart/form-data").status_code == 302
    sub = factories.submission_of(call, w["ar"])
    return_to_mission(sub, w["officer"], RETURN_COMMENT)
    save(sub, sub.content, w["officer"], lock_version=sub.lock_version)
    submit(sub, w["officer"], received=Arrival("fax", NOTE))
    return_to_mission(sub, w["officer"], RETURN_COMMENT)
    extend_deadline(sub, datetime(2030, 11, 13, 17, 0), w["officer"])
    db.session.commit()
    return sub


def test_mission_b_sees_exactly_its_own_rows_and_none_of_a(app, make_client):
    w = factories.world()
    a_sub = _mission_a_with_everything(w, make_client)
    b_sub = factories.submission_of(w["call"], w["br"])
    document_id = a_sub.versions[0].content["country_report"]["files"]["developments"]

    assert [s.id for s in db.session.scalars(access.submissions(w["br"]))] == [b_sub.id]
    assert [s.id for s in db.session.scalars(access.submissions(w["ar2"]))] == [a_sub.id]
    assert access.submission(w["br"], a_sub.id) is None and access.submission(w["br"], b_sub.id) == b_sub
    assert access.submission_for_call(w["br"], w["call"].id) == b_sub
    assert access.submission_for_call(w["officer"], w["call"].id) is None  # the secretariat has no own answer
    assert access.document(w["br"], document_id) is None
    assert access.document(w["ar2"], document_id).id == document_id
    assert access.document(w["officer"], document_id).id == document_id
    assert len(db.session.scalars(access.submissions(w["officer"])).all()) == 2

    b = make_client().sign_in("focal@br.example")
    call = w["call"]
    pages = ["/portal/", f"/portal/calls/{call.id}", f"/portal/calls/{call.id}/receipt/1",
             f"/portal/calls/{call.id}/receipt/2", f"/portal/documents/{document_id}"]
    for url in pages:
        page = b.get(url).get_data(as_text=True)
        for marker in [*MARKERS.values(), RETURN_COMMENT, FILE_NAME, NOTE, "13 de noviembre", "November 13"]:
            assert marker not in page, (url, marker)
    assert b.get(f"/portal/documents/{document_id}").status_code == 404

    a = make_client().sign_in("second@ar.example")  # A's other focal point sees all of it
    portal = a.get("/portal/").get_data(as_text=True)
    assert RETURN_COMMENT in portal and "November 13, 2030" in portal
    assert "MARK-A-NAME" in a.get(f"/portal/calls/{call.id}").get_data(as_text=True)


def test_a_draft_call_is_hidden_from_missions(app):
    w = factories.world()
    w["call"].status = "draft"
    db.session.commit()
    assert db.session.scalars(access.submissions(w["ar"])).all() == []
    assert access.submission_for_call(w["ar"], w["call"].id) is None
    with clock.frozen_at(datetime(2030, 1, 1)):
        assert len(db.session.scalars(access.submissions(w["officer"])).all()) == 2


def test_a_withdrawn_call_stays_visible_only_where_the_mission_had_answered(app, make_client):
    w = factories.world()
    a_sub = _mission_a_with_everything(w, make_client)
    b_sub = factories.submission_of(w["call"], w["br"].mission)
    a_sub.withdrawn_at = b_sub.withdrawn_at = datetime(2030, 11, 1)
    db.session.commit()
    assert db.session.scalars(access.submissions(w["br"])).all() == []
    assert [s.id for s in db.session.scalars(access.submissions(w["ar"]))] == [a_sub.id]
