"""The call builder in a real browser: an officer writes a workshop call, previews it as a
mission in Spanish and opens it; the mission's focal point then reads it in Spanish."""
from __future__ import annotations

import re

import pytest

from workflow.db import db
from workflow.models import Call

from .. import factories
from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_an_officer_builds_previews_and_opens_a_workshop_call(app, server, browser, shoot):
    for code, language in (("AR", "es"), ("TT", "en")):
        factories.user(f"focal@{code.lower()}.example", mission=factories.mission(code, language))
    factories.user("officer@sec.example", role="officer")
    db.session.commit()
    db.session.close()

    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(officer, server, "officer@sec.example")
    officer.goto(f"{server}/secretariat/calls/new")
    officer.locator("#f-reference").fill("CIBER/WS/doc.1/27")
    officer.locator("#f-slug").fill("Workshop 2027")
    officer.locator("#f-title-en").fill("Regional workshop on cyber-crime legislation")
    officer.locator("#f-title-es").fill("Taller regional sobre legislación en materia de delito cibernético")
    officer.locator("#f-deadline").fill("2030-05-01T17:00")
    officer.locator("#f-timezone").fill("America/Port_of_Spain")
    officer.locator("#f-sections-0-title-en").fill("Participants")
    officer.locator("#f-sections-0-title-es").fill("Participantes")
    officer.locator("#f-sections-0-funded_quota").fill("2")
    officer.get_by_role("button", name="+ Add: Member state").click()  # a host state sends more
    officer.locator("#f-sections-0-overrides-0-state").select_option("TT")
    officer.locator("#f-sections-0-overrides-0-funded_quota").fill("4")
    officer.get_by_role("button", name="+ Comments on the draft agenda").click()
    officer.locator("#f-sections-1-title-en").fill("Draft agenda")
    officer.locator("#f-sections-1-title-es").fill("Proyecto de temario")
    officer.locator("#f-sections-1-items-0-title-en").fill("Opening of the workshop")
    officer.locator("#f-sections-1-items-0-title-es").fill("Apertura del taller")
    french = officer.locator("label[for='f-title-fr'] .badge.missing")
    assert french.is_visible()  # French and Portuguese are marked missing
    officer.locator("#f-title-fr").fill("Atelier régional")
    assert not french.is_visible()  # and no longer once given, as you type
    officer.locator("#f-title-fr").fill("")
    shoot(officer, "20-builder-desktop")
    officer.set_viewport_size({"width": 375, "height": 812})
    assert officer.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(officer, "21-builder-phone")
    officer.set_viewport_size({"width": 1280, "height": 900})
    officer.get_by_role("button", name="Save the call").click()
    officer.wait_for_load_state()
    assert officer.evaluate("document.activeElement.id") == "problems"  # the summary takes focus
    assert officer.locator("#f-sections-1-items-0-title-es").input_value() == "Apertura del taller"
    shoot(officer, "24-builder-errors")
    officer.locator("#problems a[href='#f-slug']").click()
    assert officer.evaluate("document.activeElement.id") == "f-slug"  # its link leads to the field
    officer.keyboard.press("Control+A")
    officer.keyboard.type("workshop-2027")
    officer.get_by_role("button", name="Save the call").click()
    assert "saved as a draft" in officer.content()

    officer.get_by_role("link", name="Preview").first.click()
    officer.get_by_label("Member state").select_option("AR")
    officer.locator("#language").select_option("es")
    officer.get_by_role("button", name="Show").click()
    frame = officer.locator(".preview-frame")
    assert "Taller regional sobre legislación" in frame.inner_text()
    assert "1. Apertura del taller" in frame.inner_text() and "Nombre completo" in frame.inner_text()
    shoot(officer, "22-preview-es")
    officer.get_by_role("button", name="Open the call and invite the missions").click()
    assert "The call is open" in officer.content()
    with app.app_context():
        call_id = db.session.scalar(db.select(Call.id).filter_by(slug="workshop-2027"))
        db.session.close()

    mission = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True).new_page()
    sign_in(mission, server, "focal@ar.example")
    mission.get_by_role("button", name="Español").click()
    mission.get_by_role("link", name=re.compile("Taller regional")).click()
    assert f"/portal/calls/{call_id}" in mission.url
    text = mission.locator("main").inner_text()
    assert "Participantes" in text and "1. Apertura del taller" in text
    assert "2 plazas financiadas para su Estado miembro" in text
    shoot(mission, "23-mission-workshop-es")


def test_a_focal_point_chooses_a_weekly_digest_on_a_phone(app, server, browser, shoot):
    mission = factories.mission("AR", "es")
    factories.user("focal@ar.example", mission=mission, locale="es")
    factories.user("head@sec.example", role="admin")
    db.session.commit()
    db.session.close()
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True).new_page()
    sign_in(phone, server, "focal@ar.example")
    phone.get_by_role("link", name="Mis ajustes").click()
    phone.get_by_label("Semanal").check()
    phone.get_by_label("Zona horaria").fill("America/Argentina/Buenos_Aires")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(phone, "25-settings-phone-es")
    phone.get_by_role("button", name="Guardar mis ajustes").click()
    assert "Se guardaron sus ajustes." in phone.content()
    assert phone.get_by_label("Semanal").is_checked()

    head = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(head, server, "head@sec.example")
    head.get_by_role("link", name="My settings").click()
    assert head.get_by_text("Defaults for new members of the secretariat").is_visible()
    shoot(head, "26-settings-head")
