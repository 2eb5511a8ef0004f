"""A mission sees only its own answers and files; the secretariat's pages are closed to it."""
from __future__ import annotations

import io

from workflow.db import db

from . import factories

PDF = factories.PDF


def test_one_mission_never_sees_another(app, make_client):
    w = factories.world()
    call = w["call"]
    ar = make_client().sign_in("focal@ar.example")
    ar.get(f"/portal/calls/{call.id}")
    form = factories.answer_form(action="submit")
    form["country_report-developments"] = (io.BytesIO(PDF), "informe-secreto.pdf")
    response = ar.post(f"/portal/calls/{call.id}", form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    sub = factories.submission_of(call, w["ar"])
    document_id = sub.content["country_report"]["files"]["developments"]
    assert ar.get(f"/portal/documents/{document_id}").data == PDF

    br = make_client().sign_in("focal@br.example")
    for url in (f"/portal/calls/{call.id}", "/portal/", f"/portal/calls/{call.id}/receipt/1"):
        page = br.get(url).get_data(as_text=True)
        assert "María José Núñez" not in page and "informe-secreto" not in page, url
    assert br.get(f"/portal/calls/{call.id}/receipt/1").status_code == 404  # BR has no receipt 1
    assert br.get(f"/portal/documents/{document_id}").status_code == 404
    for url in ("/secretariat/", f"/secretariat/calls/{call.id}", "/secretariat/queue",
                f"/secretariat/submissions/{sub.id}", f"/secretariat/submissions/{sub.id}/enter",
                f"/secretariat/calls/{call.id}/export"):
        assert br.get(url).status_code == 403, url
    assert br.post(f"/secretariat/submissions/{sub.id}/accept").status_code == 403
    db.session.refresh(sub)
    assert sub.state == "submitted"

    # A call not addressed to a mission does not exist for it.
    other = factories.call_from_file("regional-workshop-2008.yaml", addressed=["BR"])
    db.session.commit()
    assert ar.get(f"/portal/calls/{other.id}").status_code == 404

    officer = make_client().sign_in("officer@sec.example")
    assert officer.get(f"/portal/documents/{document_id}").data == PDF


def test_anonymous_is_sent_to_sign_in(app, client):
    w = factories.world()
    for url in ("/portal/", f"/portal/calls/{w['call'].id}", "/secretariat/", "/secretariat/queue"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
