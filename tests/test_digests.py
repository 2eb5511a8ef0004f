"""Digests people choose on their own page, each one a list of links into Missiva for the right
role, and a one-click way out (RFC 8058) that needs no signing in."""
from __future__ import annotations

import re
from datetime import timedelta

from workflow import clock, digests
from workflow.db import db
from workflow.models import AuditEvent, User

from . import factories
from .conftest import drain


def digest_to(smtp, address):
    """The digest among what `address` received."""
    return next(m for m in smtp.to(address) if m["X-Missiva-Key"].startswith("digest:"))


def test_a_focal_point_subscribes_on_its_page_and_gets_only_its_missions_calls(app, client, smtp):
    w = factories.world()
    other = factories.call_from_file("regional-workshop-2008.yaml", addressed=["BR"], deadline="2030-10-01 17:00")
    db.session.commit()
    client.sign_in("focal@ar.example")
    page = client.get("/profile").get_data(as_text=True)
    assert "Calls the digest covers" not in page  # only the secretariat chooses calls
    response = client.post("/profile", {"locale": "es", "timezone": "America/Argentina/Buenos_Aires",
                                        "digest": "weekly"})
    assert response.status_code == 302
    person = db.session.get(User, w["ar"].id)
    assert (person.digest, person.locale, person.timezone) == ("weekly", "es", "America/Argentina/Buenos_Aires")
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="profile_changed", actor_id=person.id))
    bad = client.post("/profile", {"locale": "es", "timezone": "Mars/Olympus", "digest": "weekly"})
    assert bad.status_code == 422 and "Mars/Olympus" in bad.get_data(as_text=True)  # kept as typed

    with clock.frozen_at(w["call"].deadline - timedelta(days=5)):
        assert digests.send("weekly") == 1
    db.session.commit()
    drain()
    mail = digest_to(smtp, "focal@ar.example")
    text = mail.get_body(("plain",)).get_content()
    assert "Pendiente de respuesta" in text and w["call"].title["es"] in text
    assert other.reference not in text and "Brasil" not in text  # nothing of another mission
    assert f"http://missiva.example/portal/calls/{w['call'].id}" in text
    assert "/secretariat/" not in text
    assert mail["List-Unsubscribe"].startswith("<http://missiva.example/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated"


def test_the_links_in_a_digest_open_the_right_pages_for_the_right_roles(app, client, make_client, smtp):
    w = factories.world()
    w["officer"].digest = "daily"
    w["ar"].digest = "daily"
    db.session.commit()
    focal = client.sign_in("focal@ar.example")
    focal.get(f"/portal/calls/{w['call'].id}")
    assert focal.post(f"/portal/calls/{w['call'].id}", factories.answer_form(action="submit")).status_code == 302
    assert digests.send("daily") == 2
    db.session.commit()
    drain()
    staff_links = re.findall(r"http://missiva\.example(/secretariat/\S+)",
                             digest_to(smtp, "officer@sec.example").get_body(("plain",)).get_content())
    mission_links = re.findall(r"http://missiva\.example(/portal/\S+)",
                               digest_to(smtp, "focal@ar.example").get_body(("plain",)).get_content())
    assert any("/submissions/" in link for link in staff_links) and any("/calls/" in link for link in staff_links)
    assert any("/receipt/1" in link for link in mission_links), mission_links
    officer = make_client().sign_in("officer@sec.example")
    for link in staff_links:
        assert officer.get(link).status_code == 200, link
        assert focal.get(link).status_code == 403, link  # a mission never opens the secretariat's pages
    for link in mission_links:
        assert focal.get(link).status_code == 200, link


def test_one_click_unsubscribe_stops_the_next_digest_without_signing_in(app, make_client, smtp):
    w = factories.world()
    w["admin"].digest = "daily"
    db.session.commit()
    with clock.frozen_at(w["call"].deadline - timedelta(days=3)):
        assert digests.send("daily") == 1
    db.session.commit()
    drain()
    mail = digest_to(smtp, "admin@sec.example")
    url = mail["List-Unsubscribe"].strip("<>").removeprefix("http://missiva.example")
    stranger = make_client()
    page = stranger.get(url)
    assert page.status_code == 200 and db.session.get(User, w["admin"].id).digest == "daily"  # a GET changes nothing
    assert stranger.get(url[:-3] + "xyz").status_code == 404  # a link Missiva did not sign
    response = stranger.post(url, {"List-Unsubscribe": "One-Click"}, token=False)  # as a mail program posts it
    assert response.status_code == 200 and "will receive no more digests" in response.get_data(as_text=True)
    assert db.session.get(User, w["admin"].id).digest == "none"
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="digest_unsubscribed"))
    with clock.frozen_at(w["call"].deadline - timedelta(days=2)):
        assert digests.send("daily") == 0


def test_staff_follow_chosen_calls_and_the_head_sets_defaults_for_new_staff(app, client, runner, smtp):
    w = factories.world()
    other = factories.call_from_file("regional-workshop-2008.yaml", addressed=["BR"], deadline="2030-10-01 17:00")
    db.session.commit()
    head = client.sign_in("admin@sec.example")
    head.get("/profile")
    assert head.post("/profile/defaults", {"defaults-digest": "daily", "defaults-follows": "all"}).status_code == 302
    result = runner.invoke(args=["missiva", "create-user", "new@sec.example", "--name", "New Officer",
                                 "--role", "officer"])
    assert result.exit_code == 0, result.output
    newcomer = db.session.scalar(db.select(User).filter_by(email="new@sec.example"))
    assert (newcomer.digest, newcomer.follows_all) == ("daily", True)

    assert head.post("/profile", {"locale": "en", "timezone": "America/New_York", "digest": "daily",
                                  "follows": "chosen", "calls": [str(other.id)]}).status_code == 302
    with clock.frozen_at(other.deadline - timedelta(days=3)):
        digests.send("daily")
    db.session.commit()
    drain()
    text = digest_to(smtp, "admin@sec.example").get_body(("plain",)).get_content()
    assert other.reference in text and w["call"].reference not in text  # only the call followed


def test_a_digest_counts_in_agreement_with_its_numbers(app, smtp):
    from workflow.submissions import save, submit

    w = factories.world()
    w["officer"].locale, w["officer"].digest = "fr", "weekly"
    db.session.commit()
    brazil = factories.submission_of(w["call"], w["br"].mission)
    with clock.frozen_at(w["call"].deadline - timedelta(days=8)):
        save(brazil, factories.filled(w["call"]), w["br"], lock_version=brazil.lock_version)
        submit(brazil, w["br"])
        db.session.commit()
    with clock.frozen_at(w["call"].deadline - timedelta(days=5)):
        digests.send("weekly")
    db.session.commit()
    drain()
    mail = digest_to(smtp, "officer@sec.example")
    assert mail["Subject"] == "Récapitulatif Missiva\u00a0: 1 à examiner, 1 reçue, 0 problème de courriel"
    text = mail.get_body(("plain",)).get_content()
    assert "1 État membre sur 2 a répondu" in text
    assert "(heure de New York), 5 jours restants" in text  # not a second pair of brackets
