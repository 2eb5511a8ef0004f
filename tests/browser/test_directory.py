"""The directory in a real browser: the head imports a directory file (a problem shown in the
preview, the file fixed, imported) and looks after people; a focal point nominates last year's
expert from the mission's roster."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from workflow.db import db

from .. import factories
from .conftest import sign_in

pytestmark = pytest.mark.browser

HEADER = "record,state,language,timezone,representative,representative_email,email,person,role\n"
WITH_A_PROBLEM = HEADER + (
    "state,FR,fr,Europe/Paris,Jean Dupont,rp.fr@example.org,,,\n"
    "state,IT,en,Europe/Rome,Giulia Bianchi,rp.it@example.org,,,\n"
    "person,FR,,,,,claire.martin@diplomatie.example,Claire Martin,lead\n"
    "person,IT,,,,,marco.rossi@esteri.example,Marco Rossi,chief\n")
FIXED = WITH_A_PROBLEM.replace(",chief\n", ",focal_point\n")


def test_the_head_imports_a_directory_file_after_fixing_what_the_preview_shows(app, server, browser, shoot,
                                                                                 tmp_path):
    factories.world()
    db.session.close()
    path = tmp_path / "europe.csv"
    path.write_text(WITH_A_PROBLEM, encoding="utf-8")

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, server, "admin@sec.example")
    page.get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="Import and export").click()
    page.get_by_label("Directory file (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("#file-problems")
    expect(problems).to_contain_text("Nothing was imported: 1 problem in europe.csv")
    expect(problems.locator("tbody tr")).to_have_text(re.compile(r"5\s*role\s*One of lead, focal_point"))
    shoot(page, "40-directory-import-problem")

    path.write_text(FIXED, encoding="utf-8")
    page.get_by_label("Directory file (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check the changes from europe.csv")).to_be_visible()
    expect(page.locator(".preview")).to_contain_text("Importing this file makes 4 changes")
    shoot(page, "41-directory-import-preview")
    page.get_by_role("button", name="Import these changes").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Imported: 4 changes.")
    shoot(page, "41b-directory-states")
    page.get_by_role("link", name="Italy").click()
    expect(page.get_by_label("Permanent Representative", exact=True)).to_have_value("Giulia Bianchi")
    expect(page.locator("#people")).to_be_visible()
    expect(page.get_by_role("cell", name="marco.rossi@esteri.example", exact=True)).to_be_visible()
    shoot(page, "42-directory-state")

    # The head changes the mission's time zone; the history says what it was.
    page.get_by_label("Time zone").fill("Europe/Paris")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("table.audit")).to_contain_text("Time zone: Europe/Rome → Europe/Paris")

    page.get_by_role("link", name="People", exact=True).click()
    row = page.locator("tr", has_text="marco.rossi@esteri.example")
    row.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Marco Rossi can no longer sign in")
    shoot(page, "43-directory-people")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("What the token is for").fill("Monitoring (Nagios)")
    page.get_by_role("button", name="Create the token").click()
    expect(page.locator("code.secret")).to_be_visible()
    shoot(page, "43b-api-tokens")
    page.get_by_role("link", name="System status").click()
    expect(page.get_by_role("heading", name="System status")).to_be_visible()
    shoot(page, "44-system-status")
    page.set_viewport_size({"width": 375, "height": 800})  # on a phone each part is a card: nothing to scroll sideways
    assert page.evaluate("document.querySelector('table.status').scrollWidth") <= \
        page.evaluate("document.querySelector('table.status').parentElement.clientWidth")


def test_a_focal_point_nominates_last_years_expert_from_the_roster(app, server, browser, make_client, shoot):
    w = factories.world()
    w["ar"].mission_role = "lead"
    db.session.commit()
    client = make_client().sign_in("focal@ar.example")
    client.get(f"/portal/calls/{w['call'].id}")
    assert client.post(f"/portal/calls/{w['call'].id}", factories.answer_form(action="submit")).status_code == 302
    next_year = factories.call_from_file(addressed=["AR", "BR"], slug="ciber-vi-2008", reference="CIBER-VI",
                                         deadline="2031-10-29 23:59")
    db.session.commit()
    call_id = next_year.id
    db.session.close()

    page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(page, server, "focal@ar.example")
    page.goto(f"{server}/portal/calls/{call_id}")
    page.get_by_label("Someone your mission has nominated before").first.select_option(label="María José Núñez — Ministerio Público Fiscal")
    expect(page.get_by_label("Full name").first).to_have_value("María José Núñez")
    expect(page.get_by_label("Email").first).to_have_value("mjnunez@mpf.example")
    page.get_by_label("Title or post").first.fill("Fiscal general adjunta")
    shoot(page, "45-roster-pick")
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.get_by_label("Title or post").first).to_have_value("Fiscal general adjunta")
    expect(page.get_by_label("Institution").first).to_have_value("Ministerio Público Fiscal")

    page.get_by_role("link", name="My mission").click()
    expect(page.get_by_role("heading", name=re.compile("People of my mission"))).to_be_visible()
    page.get_by_label("Full name").fill("Lucía Herrera")
    page.get_by_label("Email").fill("lherrera@cancilleria.example")
    page.get_by_label("Alternate").check()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("cell", name="lherrera@cancilleria.example")).to_be_visible()
    shoot(page, "46-mission-people")

    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(officer, server, "officer@sec.example")
    officer.get_by_role("link", name="Experts", exact=True).click()
    expect(officer.get_by_role("cell", name="CIBER-V/doc.1/07")).to_be_visible()
    shoot(officer, "47-experts")
