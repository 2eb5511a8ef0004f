"""Signing in: passwords, and single-use links that expire."""
from __future__ import annotations

from workflow import invitations
from workflow.db import db
from workflow.models import AuditEvent

from . import factories


def test_sign_in_link_works_once(app, client, make_client):
    w = factories.world()
    token = invitations.token_for(w["ar"])
    # A mail scanner opening the link does not use it up.
    for _ in range(2):  # a scanner, then the person: opening the link twice still leaves it usable
        page = client.get(f"/sign-in/{token}")
        assert page.status_code == 200 and "focal@ar.example" in page.get_data(as_text=True)
    response = client.post(f"/sign-in/{token}")
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200
    again = make_client().get(f"/sign-in/{token}")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="signed_in_by_link")).actor_id == w["ar"].id


def test_expired_and_forged_links_are_refused(app, client):
    w = factories.world()
    token = invitations.token_for(w["ar"])
    app.config["INVITATION_MAX_AGE_DAYS"] = -1
    assert "expired" in client.get(f"/sign-in/{token}").get_data(as_text=True)
    app.config["INVITATION_MAX_AGE_DAYS"] = 14
    assert client.get(f"/sign-in/{token[:-2]}xx").status_code == 410
    assert client.get("/portal/").status_code == 302


def test_wrong_password_and_unknown_address_answer_alike(app, client):
    factories.world()
    client.get("/login")
    known = client.post("/login", {"email": "focal@ar.example", "password": "wrong"})
    unknown = client.post("/login", {"email": "nobody@ar.example", "password": "wrong"})
    assert known.status_code == unknown.status_code == 422
    message = "This email address and password do not match."
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert 'value="focal@ar.example"' in known.get_data(as_text=True)
