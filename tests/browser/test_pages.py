"""The mission's and the secretariat's paths in a real browser, on a desktop and on a phone.
Screenshots of the key pages are written to tests/artifacts/screenshots/ for review."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from workflow import notifications
from workflow.db import db

from .. import factories
from ..conftest import drain
from .conftest import SHOTS, sign_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNLABELLED = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]):not([tabindex="-1"]), select, textarea'))
  .filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name)"""


def invitation_link(smtp, email):
    text = smtp.to(email)[-1].get_body(("plain",)).get_content()
    return re.search(r"http://\S+/sign-in/\S+", text).group(0)


def sign_in_as_officer(page, base):
    sign_in(page, base, "officer@sec.example")


def test_mission_and_secretariat_paths(app, server, browser, smtp, shoot, tmp_path):
    w = factories.world()
    call = w["call"]
    notifications.invite(call, missions=[w["ar"].mission])
    db.session.commit()
    drain()
    call_id, ar_mission = call.id, w["ar"].mission
    db.session.close()  # hold no transaction (and no SQLite lock) while the browser works
    report = tmp_path / "informe-ciberdelito.pdf"
    report.write_bytes(PDF)

    mission = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    mission.goto(invitation_link(smtp, "focal@ar.example"))
    shoot(mission, "01-sign-in-link")
    mission.get_by_role("button", name="Continue to Missiva").click()
    mission.get_by_role("button", name="Español").click()
    assert mission.locator("html").get_attribute("lang") == "es"
    assert mission.evaluate(UNLABELLED) == []  # every field has its label

    # Typing is kept even before anything is clicked: the draft saves itself.
    mission.get_by_label("Nombre completo").first.fill("María José Núñez")
    expect(mission.locator("#autosave-status")).to_contain_text("Borrador guardado automáticamente", timeout=10_000)
    mission.reload()
    assert mission.get_by_label("Nombre completo").first.input_value() == "María José Núñez"
    mission.get_by_label("Cargo o puesto").first.fill("Fiscal especializada")
    mission.get_by_label("Institución").first.fill("Ministerio Público Fiscal")
    mission.get_by_label("Correo electrónico").first.fill("mjnunez@mpf.example")
    mission.locator("#experiences-legislation-present").check()
    mission.locator("#experiences-legislation-description").fill("Ley 26.388 de delitos informáticos")
    mission.get_by_label("4. International cooperation and assistance on cyber-crime").fill(
        "Proponemos incluir la cooperación con el sector privado.")
    mission.locator("#country_report-developments").set_input_files(str(report))
    mission.get_by_role("button", name="Guardar borrador").click()
    assert "Se guardó su borrador." in mission.content()
    shoot(mission, "02-answer-draft-es")

    # Come back later: everything is there.
    mission.goto(f"{server}/portal/")
    shoot(mission, "02a-my-calls-es")
    mission.get_by_role("link", name=re.compile("Reunión del Grupo de Expertos")).click()
    assert mission.get_by_label("Nombre completo").first.input_value() == "María José Núñez"
    assert "informe-ciberdelito.pdf" in mission.content()
    mission.get_by_role("button", name="Revisar la respuesta y enviar").click()
    assert "Revise su respuesta antes de enviarla" in mission.content()  # everything, before it is sent
    assert "María José Núñez" in mission.content()
    shoot(mission, "02b-check-es")
    mission.get_by_role("button", name="Enviar en nombre de la Argentina").click()
    assert mission.get_by_text("Acuse de recibo").first.is_visible()
    assert "CIBER-V/doc.1/07 · AR · 1" in mission.content()
    pdf = mission.get_by_role("link", name="Descargar el acuse de recibo (PDF)")
    assert mission.request.get(server + pdf.get_attribute("href")).body().startswith(b"%PDF")
    shoot(mission, "03-receipt-es")

    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_as_officer(officer, server)
    officer.get_by_role("link", name="Review queue").click()
    shoot(officer, "03b-queue")
    officer.get_by_role("link", name="Argentina").click()
    shoot(officer, "04-review")
    officer.get_by_label("What should the mission change?").fill("Indique el cargo del experto en inglés.")
    officer.get_by_role("button", name="Return to the mission").click()
    assert "Returned to the mission with your comment." in officer.content()

    mission.goto(f"{server}/portal/calls/{call_id}")
    assert "Indique el cargo del experto en inglés." in mission.content()
    mission.get_by_label("Cargo o puesto").first.fill("Specialized prosecutor")
    mission.get_by_role("button", name="Revisar la respuesta y enviar").click()
    mission.get_by_role("button", name="Enviar en nombre de la Argentina").click()
    assert "CIBER-V/doc.1/07 · AR · 2" in mission.content()

    officer.reload()
    assert "Version 2" in officer.content() and "changed in this version" in officer.content()
    changes = officer.locator("table.changes")
    assert changes.locator("del").first.inner_text() == "Fiscal especializada"
    assert changes.locator("ins").first.inner_text() == "Specialized prosecutor"
    shoot(officer, "04b-review-version-2")
    officer.get_by_label("I have read version 2 of the answer of Argentina").check()
    officer.get_by_role("button", name="Accept version 2").click()
    assert "Accepted the answer of Argentina." in officer.content()
    officer.goto(f"{server}/secretariat/calls/{call_id}")
    shoot(officer, "05-status-board")
    assert factories.submission_of(call, ar_mission).state == "accepted"


def test_phone_keyboard_and_errors(app, server, browser, smtp, shoot):
    w = factories.world()
    w["br"].locale = "pt"
    db.session.commit()
    db.session.close()
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                device_scale_factor=2).new_page()
    phone.goto(f"{server}/login")
    shoot(phone, "06-phone-login")
    phone.get_by_label("Email address").fill("focal@br.example")
    phone.get_by_label("Password").fill("secret-pass")
    phone.keyboard.press("Enter")  # keyboard only
    phone.get_by_role("link", name=re.compile("Reunião do Grupo|Meeting of the Group")).click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    # Enter in a text field saves the draft (not "add another expert").
    name = phone.get_by_label("Nome completo").first
    name.fill("Ana Souza")
    name.press("Enter")
    assert "Seu rascunho foi salvo." in phone.content()

    # Exactly one more expert, and a way to take one out again.
    phone.get_by_role("button", name="Salvar e adicionar outro perito").click()
    expect(phone.locator("fieldset.expert")).to_have_count(2)
    phone.locator("#experts-experts-1-name").fill("Segundo Perito")
    phone.get_by_role("button", name="Remover o perito 2").click()
    expect(phone.locator("fieldset.expert")).to_have_count(1)
    assert phone.get_by_label("Nome completo").first.input_value() == "Ana Souza"

    phone.get_by_label("E-mail").first.fill("ana-sem-arroba")
    phone.get_by_role("button", name="Verificar a resposta e enviar").click()
    phone.wait_for_load_state()
    expect(phone.locator("#problems")).to_be_focused()  # the summary takes focus
    phone.locator("#problems a[href='#experts-experts-0-email']").click()
    assert phone.evaluate("document.activeElement.id") == "experts-experts-0-email"  # its link leads to the field
    field = phone.locator("#experts-experts-0-email")
    assert field.get_attribute("aria-invalid") == "true"
    error = phone.locator("#experts-experts-0-email-error")
    assert error.get_attribute("role") == "alert" and "Isto não parece um endereço de e-mail." in error.inner_text()
    assert field.get_attribute("aria-describedby") == "experts-experts-0-email-error"
    assert field.input_value() == "ana-sem-arroba"  # nothing typed is lost
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(phone, "07-phone-errors-pt")

    phone.get_by_label("E-mail").first.fill("ana@pf.example")
    phone.get_by_label("Instituição").first.fill("Polícia Federal")
    phone.get_by_role("button", name="Verificar a resposta e enviar").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(phone, "07b-phone-check-pt")
    phone.get_by_role("button", name="Enviar em nome do Brasil").click()
    assert "CIBER-V/doc.1/07 · BR · 1" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(phone, "08-phone-receipt-pt")


def test_pages_work_without_javascript(app, server, browser):
    factories.world()
    db.session.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_as_officer(page, server)
    page.get_by_role("link", name="Review queue").click()
    assert page.get_by_role("heading", name="Review queue").is_visible()


def test_officer_path_in_spanish_on_a_phone_by_keyboard_alone(app, server, browser, make_client, shoot):
    for code in ("PE", "PY", "PA", "BR"):
        factories.mission(code, "es")
    ar = factories.mission("AR", "es")
    factories.user("focal@ar.example", mission=ar)
    factories.user("oficial@sec.example", role="officer", locale="es")
    call = factories.call_from_file(addressed=["AR", "BR", "PE", "PY", "PA"], deadline="2030-10-29 23:59")
    db.session.commit()
    make_client().sign_in("focal@ar.example").post(f"/portal/calls/{call.id}", factories.answer_form(action="submit"))
    call_id = call.id
    db.session.close()

    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, server, "oficial@sec.example")
    phone.goto(f"{server}/secretariat/")
    shoot(phone, "10-officer-calls-es")
    phone.goto(f"{server}/secretariat/calls/{call_id}")
    # By name in the reader's language, accents ignored (not by ISO code: PA, PE, PY).
    names = phone.locator("table.board tbody tr td:nth-child(2) a").all_inner_texts()
    assert names == ["Argentina", "Brasil", "Panamá", "Paraguay", "Perú"]
    shoot(phone, "11-officer-board-es")

    phone.locator("#main").get_by_role("link", name="Cola de revisión").click()
    shoot(phone, "12-officer-queue-es")
    phone.get_by_role("link", name="Argentina").click()
    assert phone.title().startswith("Argentina · CIBER-V/doc.1/07")

    # An internal note, then the acceptance, each by keyboard alone.
    phone.locator("#text").focus()
    phone.keyboard.type("El experto confirmó su asistencia por teléfono.")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.locator(".flash")).to_contain_text("Se añadió su nota. Solo la Secretaría la ve.")
    assert "El experto confirmó su asistencia por teléfono." in phone.locator("#notes").inner_text()
    shoot(phone, "13-officer-submission-es")

    phone.locator("#accept-confirm").focus()
    phone.keyboard.press("Space")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.locator(".flash")).to_contain_text("Se aceptó la respuesta de la Argentina.")
    shoot(phone, "14-officer-accepted-es")
    phone.goto(f"{server}/secretariat/outbox")
    shoot(phone, "15-officer-outbox-es")
    phone.goto(f"{server}/secretariat/calls/{call_id}/reports")
    shoot(phone, "16-officer-reports-es")


def test_an_officer_pages_through_years_of_calls(app, server, browser, shoot):
    """Thirty calls: the list shows the newest 25, then the older ones a page further."""
    from datetime import timedelta

    w = factories.world()
    for i in range(29):
        older = factories.call_from_file(slug=f"year-{i}", addressed=["AR"])
        older.reference = f"OLDER/{i}"
        older.deadline = w["call"].deadline - timedelta(days=30 * (i + 1))
        older.status = "closed"
    db.session.commit()
    db.session.close()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_as_officer(page, server)
    page.goto(f"{server}/secretariat/")
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("OLDER/28")).to_be_visible()
    expect(page.get_by_text("Page 2")).to_be_visible()
    shoot(page, "48-calls-page-2")
    page.get_by_role("link", name="Previous page").click()
    expect(page.get_by_text("OLDER/0", exact=True)).to_be_visible()
    page.goto(f"{server}/secretariat/queue?state=any")
    shoot(page, "49-queue-filter")
    page.close()


def test_a_mail_read_on_a_phone_wraps_its_long_sign_in_link(app, browser, smtp):
    """A receipt as the focal point's phone shows it: the personal sign-in link, one unbroken
    run of 150 characters, wraps inside the screen instead of running off its edge."""
    from workflow.submissions import save, submit

    w = factories.world()
    w["br"].locale = "pt"
    sub = factories.submission_of(w["call"], w["br"])
    save(sub, factories.filled(w["call"]), w["br"], lock_version=0)
    submit(sub, w["br"])
    db.session.commit()
    drain()
    html = smtp.to("focal@br.example")[0].get_body(("html",)).get_content()
    assert "/sign-in/" in html
    phone = browser.new_page(viewport={"width": 375, "height": 700})
    try:
        phone.set_content(html)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        expect(phone.get_by_role("link")).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SHOTS / "60-receipt-mail-pt-375.png"), full_page=True)
    finally:
        phone.close()
