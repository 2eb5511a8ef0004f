"""The directory: imports from CSV and XLSX (all or nothing, every problem with its line and column,
the same file twice changing nothing), people who leave, a mission's lead focal point keeping its
people, the expert roster picked from and erased, and the admin's own pages."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from workflow import notifications, roster
from workflow.db import db
from workflow.models import AuditEvent, MemberState, Mission, OutboxMessage, RosterExpert, User

from . import factories
from .conftest import drain

GOOD = """record,state,name_en,mission,language,timezone,representative,representative_email,email,person,role
state,FR,,,fr,Europe/Paris,Jean Dupont,rp.fr@example.org,,,
state,DE,,,en,Europe/Berlin,Anna Schmidt,rp.de@example.org,,,
person,FR,,,,,,,lead.fr@example.org,Claire Martin,lead
person,DE,,,,,,,fp.de@example.org,Hans Weber,focal_point
person,,,,,,,,officer2@example.org,Second Officer,officer
"""
# Three bad lines: an unknown state (line 2), an address that is not one (line 4), a role (line 5).
BAD = """record,state,name_en,mission,language,timezone,representative,representative_email,email,person,role
state,XZ,,,fr,Europe/Paris,Jean Dupont,rp.fr@example.org,,,
state,DE,,,en,Europe/Berlin,Anna Schmidt,rp.de@example.org,,,
person,DE,,,,,,,lead.de-example.org,Claire Martin,lead
person,DE,,,,,,,fp.de@example.org,Hans Weber,boss
"""


def xlsx(text: str) -> bytes:
    book = Workbook()
    for line in text.strip().splitlines():
        book.active.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def admin_client(make_client):
    return make_client().sign_in("admin@sec.example")


def preview(client, data: bytes, name: str):
    return client.post("/admin/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_csv_directory_imports_from_the_command_line_all_or_nothing_and_once(app, runner, tmp_path):
    factories.world()
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    result = runner.invoke(args=["missiva", "directory", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 2, column state: XZ is not an ISO 3166 country code." in result.output
    assert "line 4, column email: This does not look like an email address." in result.output
    assert "line 5, column role: One of lead, focal_point, alternate, officer, admin." in result.output
    assert db.session.get(MemberState, "DE") is None  # its good lines were not imported either
    two_leads = tmp_path / "two-leads.csv"
    two_leads.write_text(GOOD + "person,FR,,,,,,,other.fr@example.org,Paul Durand,lead\n", encoding="utf-8")
    result = runner.invoke(args=["missiva", "directory", "import", str(two_leads)])
    assert "line 7, column role: The file names another lead focal point for FR on line 4" in result.output

    good = tmp_path / "directory.csv"
    good.write_text(GOOD, encoding="utf-8")
    dry = runner.invoke(args=["missiva", "directory", "import", "--dry-run", str(good)])
    assert dry.exit_code == 0 and "5 would change" in dry.output
    assert db.session.get(MemberState, "FR") is None
    result = runner.invoke(args=["missiva", "directory", "import", str(good)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    france = db.session.scalar(db.select(Mission).filter_by(member_state_code="FR"))
    assert france.member_state.name("fr") == "France" and france.language == "fr"
    assert france.timezone == "Europe/Paris" and france.representative_email == "rp.fr@example.org"
    claire = db.session.scalar(db.select(User).filter_by(email="lead.fr@example.org"))
    assert claire.mission_id == france.id and claire.is_lead
    assert db.session.scalar(db.select(User).filter_by(email="officer2@example.org")).role == "officer"

    again = runner.invoke(args=["missiva", "directory", "import", str(good)])
    assert again.exit_code == 0 and "nothing to change" in again.output

    # The export reads back as it was written, and people missing from a file go only when asked.
    exported = tmp_path / "export.csv"
    runner.invoke(args=["missiva", "directory", "export", str(exported)])
    assert "nothing to change" in runner.invoke(args=["missiva", "directory", "import", str(exported)]).output
    only_france = tmp_path / "france.csv"
    only_france.write_text("\n".join(GOOD.splitlines()[:2] + GOOD.splitlines()[3:4]) + "\n", encoding="utf-8")
    assert "nothing to change" in runner.invoke(args=["missiva", "directory", "import", str(only_france)]).output
    result = runner.invoke(args=["missiva", "directory", "import", "--deactivate-missing", str(only_france)])
    assert "deactivate person fp.de@example.org" in result.output
    db.session.expire_all()
    assert not db.session.scalar(db.select(User).filter_by(email="fp.de@example.org")).active
    assert db.session.scalar(db.select(User).filter_by(email="lead.fr@example.org")).active


def test_an_xlsx_directory_imports_in_the_admin_pages_after_a_preview(app, make_client):
    factories.world()
    admin = admin_client(make_client)
    page = preview(admin, xlsx(BAD), "directory.xlsx")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "Nothing was imported: 3 problems in directory.xlsx" in text
    assert re.search(r">2</td><td[^>]*>state</td><td[^>]*>XZ is not an ISO 3166 country code", text)
    assert re.search(r">4</td><td[^>]*>email</td>", text) and re.search(r">5</td><td[^>]*>role</td>", text)

    page = preview(admin, xlsx(GOOD), "directory.xlsx")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Importing this file makes 5 changes" in text
    assert db.session.get(MemberState, "FR") is None  # a preview changes nothing
    staged = re.search(r'name="staged" value="([^"]+)"', text).group(1)
    response = admin.post("/admin/import/confirm", {"staged": staged})
    assert response.status_code == 302
    assert "Imported: 5 changes." in admin.get("/admin/directory").get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter_by(email="fp.de@example.org")).mission.code == "DE"
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="directory_imported")) is not None

    text = preview(admin, xlsx(GOOD), "directory.xlsx").get_data(as_text=True)
    assert "importing it would change nothing" in text


def test_a_deactivated_person_cannot_sign_in_gets_no_mail_and_keeps_their_work(app, make_client, smtp):
    w = factories.world()
    focal = make_client().sign_in("second@ar.example")
    focal.get(f"/portal/calls/{w['call'].id}")
    assert focal.post(f"/portal/calls/{w['call'].id}", factories.answer_form(action="submit")).status_code == 302
    notifications.sign_in_link(w["ar2"])  # a message still waiting when they leave
    db.session.commit()

    admin = admin_client(make_client)
    admin.get("/admin/people")
    assert admin.post(f"/admin/people/{w['ar2'].id}/active").status_code == 302
    db.session.expire_all()
    person = db.session.get(User, w["ar2"].id)
    assert not person.active
    assert focal.get("/portal/").status_code == 302  # signed out at once
    assert make_client().post("/login", {"email": "second@ar.example", "password": factories.PASSWORD}).status_code != 302
    held = db.session.scalar(db.select(OutboxMessage).filter_by(recipient="second@ar.example"))
    assert held.state == "failed" and "deactivated" in held.last_error
    assert person.id not in [p.id for p in notifications.recipients(w["ar"].mission) if p]
    drain()
    assert not smtp.to("second@ar.example")
    version = factories.submission_of(w["call"], w["ar"].mission).versions[0]
    assert version.submitted_by_id == person.id  # their answer stays theirs
    assert "Person deactivated" in admin.get("/admin/directory/AR").get_data(as_text=True)

    admin.post(f"/admin/people/{person.id}/active")
    make_client().sign_in("second@ar.example")


def test_a_lead_focal_point_adds_and_removes_a_colleague_and_nobody_else_can(app, make_client, smtp):
    w = factories.world()
    w["ar"].mission_role = "lead"
    factories.user("lead@br.example", mission=w["br"].mission).mission_role = "lead"
    db.session.commit()
    lead = make_client().sign_in("focal@ar.example")
    page = lead.get("/portal/colleagues").get_data(as_text=True)
    assert "Add someone to your mission" in page
    response = lead.post("/portal/colleagues", {"name": "Lucía Herrera", "email": "lherrera@cancilleria.example",
                                                 "role": "alternate"})
    assert response.status_code == 302
    lucia = db.session.scalar(db.select(User).filter_by(email="lherrera@cancilleria.example"))
    assert lucia.mission_id == w["ar"].mission_id and lucia.mission_role == "alternate"
    drain()
    welcome = smtp.to("lherrera@cancilleria.example")
    # In the mission's language, signed by the secretariat.
    assert len(welcome) == 1 and welcome[0]["Subject"] == "Ya tiene acceso a Missiva"
    body = welcome[0].get_body(("plain",)).get_content()
    assert "Estimado/a Lucía Herrera:" in body and "Le agregó focal." in body
    assert "Ya tiene acceso a Missiva en nombre de la Misión Permanente de la Argentina" in body and body.rstrip().endswith("Secretaría Técnica")
    assert "/sign-in/" in body

    # Not the lead: no form, and a post is refused. Another mission's lead cannot remove her.
    other = make_client().sign_in("second@ar.example")
    assert "Add someone to your mission" not in other.get("/portal/colleagues").get_data(as_text=True)
    assert other.post("/portal/colleagues", {"name": "X", "email": "x@x.example", "role": "focal_point"}
                      ).status_code == 403
    assert other.post(f"/portal/colleagues/{lucia.id}/remove").status_code == 403
    brazil = make_client().sign_in("lead@br.example")
    assert brazil.post(f"/portal/colleagues/{lucia.id}/remove").status_code == 404
    assert "lherrera" not in brazil.get("/portal/colleagues").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, lucia.id).active

    assert lead.post(f"/portal/colleagues/{lucia.id}/remove").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, lucia.id).active
    admin = admin_client(make_client)
    history = admin.get("/admin/directory/AR").get_data(as_text=True)
    assert "Person added" in history and "Person deactivated" in history and "focal@ar.example" in history

    # The head names another lead: a mission has one, so the former lead becomes a focal point.
    assert admin.post(f"/admin/people/{w['ar2'].id}/role", {"role": "lead"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, w["ar2"].id).is_lead and not db.session.get(User, w["ar"].id).is_lead
    assert "Role in the mission: Lead focal point → Focal point" in admin.get("/admin/directory/AR").get_data(
        as_text=True)


def _nominate(client, call, **expert):
    page = client.get(f"/portal/calls/{call.id}").get_data(as_text=True)
    lock = re.search(r'name="lock_version" type="hidden" value="(\d+)"', page) or \
        re.search(r'name="lock_version" value="(\d+)"', page)
    form = factories.answer_form(lock_version=lock.group(1), action="submit")
    form.update({f"experts-experts-0-{k}": v for k, v in expert.items()})
    return client.post(f"/portal/calls/{call.id}", form)


def test_a_focal_point_picks_last_years_expert_from_the_roster_and_corrects_a_detail(app, make_client):
    w = factories.world()
    focal = make_client().sign_in("focal@ar.example")
    assert _nominate(focal, w["call"]).status_code == 302
    expert = roster.of_mission(w["ar"].mission_id)[0]
    assert (expert.name, expert.email) == ("María José Núñez", "mjnunez@mpf.example")
    assert roster.of_mission(w["br"].mission_id) == []

    next_year = factories.call_from_file(addressed=["AR", "BR"], slug="ciber-vi-2008", reference="CIBER-VI",
                                         deadline="2031-10-29 23:59")
    db.session.commit()
    url = f"/portal/calls/{next_year.id}"
    page = focal.get(url).get_data(as_text=True)
    assert "María José Núñez" in page  # offered in the roster choice
    assert "María José Núñez" not in make_client().sign_in("focal@br.example").get(url).get_data(as_text=True)
    response = focal.post(url, {"lock_version": "0", "roster-experts-0": str(expert.id),
                                "action": "roster:experts:0"})
    assert response.status_code == 302
    page = focal.get(url).get_data(as_text=True)
    assert 'value="mjnunez@mpf.example"' in page and 'value="Fiscal especializada"' in page
    # Another mission's expert cannot be pulled in by id.
    stranger = make_client().sign_in("focal@br.example")
    stranger.get(url)
    stranger.post(url, {"lock_version": "0", "roster-experts-0": str(expert.id), "action": "roster:experts:0"})
    assert "mjnunez" not in str(factories.submission_of(next_year, w["br"].mission).content)

    assert _nominate(focal, next_year, title="Fiscal general adjunta").status_code == 302
    db.session.expire_all()
    entries = db.session.scalars(db.select(RosterExpert).filter_by(mission_id=w["ar"].mission_id)).all()
    assert len(entries) == 1 and entries[0].title == "Fiscal general adjunta"
    assert sorted(n.call.reference for n in entries[0].nominations) == ["CIBER-V/doc.1/07", "CIBER-VI"]
    officer = make_client().sign_in("officer@sec.example")
    page = officer.get("/secretariat/roster").get_data(as_text=True)
    assert "María José Núñez" in page and "CIBER-VI" in page
    sheet = officer.get("/secretariat/roster.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"


def test_an_admin_erases_an_experts_personal_data_and_the_counts_stay(app, make_client):
    w = factories.world()
    focal = make_client().sign_in("focal@ar.example")
    assert _nominate(focal, w["call"]).status_code == 302
    expert = roster.of_mission(w["ar"].mission_id)[0]
    officer = make_client().sign_in("officer@sec.example")
    officer.get("/secretariat/roster")
    assert officer.post(f"/admin/roster/{expert.id}/erase").status_code == 403
    admin = admin_client(make_client)
    admin.get("/secretariat/roster")
    assert admin.post(f"/admin/roster/{expert.id}/erase").status_code == 302
    db.session.expire_all()
    entry = db.session.get(RosterExpert, expert.id)
    assert entry.erased_at is not None and entry.name is None and entry.email is None
    assert len(entry.nominations) == 1  # still counted
    submission = factories.submission_of(w["call"], w["ar"].mission)
    for content in (submission.content, submission.versions[0].content):
        assert "Núñez" not in str(content) and "mjnunez" not in str(content)
        assert len(content["experts"]["experts"]) == 1
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="expert_erased"))
    assert event.actor_label == "admin@sec.example" and "Núñez" not in str(event.detail)
    assert "Personal data erased on request" in admin.get("/secretariat/roster").get_data(as_text=True)
    assert roster.of_mission(w["ar"].mission_id) == []  # not offered to the mission any more


@pytest.mark.parametrize("url", ["/admin/directory", "/admin/people", "/admin/import", "/admin/tokens",
                                 "/admin/status", "/admin/status.json", "/admin/export.csv"])
def test_the_admin_pages_are_the_admins_alone(app, make_client, url):
    factories.world()
    for email in ("officer@sec.example", "focal@ar.example"):
        assert make_client().sign_in(email).get(url).status_code == 403
    assert admin_client(make_client).get(url).status_code in (200, 503)


def test_states_are_listed_by_their_name_in_the_readers_language(app, make_client, runner, tmp_path):
    factories.world()
    path = tmp_path / "oas.csv"
    from workflow.directory_files import FOLDER

    path.write_bytes((FOLDER / "oas.csv").read_bytes())
    assert runner.invoke(args=["missiva", "directory", "import", str(path)]).exit_code == 0
    admin = admin_client(make_client)
    admin.post("/language/es", {"next": "/admin/directory"})
    page = admin.get("/admin/directory").get_data(as_text=True)
    names = re.findall(r'<a href="/admin/directory/[A-Z]{2}">([^<]+)</a>', page)
    assert len(names) == 35
    assert names.index("El Salvador") < names.index("Granada") < names.index("Haití") < names.index("Honduras")
    assert names.index("Perú") < names.index("República Dominicana")
    assert "Trinidad y Tabago" in names or "Trinidad y Tobago" in names
    admin.post("/language/en", {"next": "/admin/directory"})
    page = admin.get("/admin/directory").get_data(as_text=True)
    assert "Saint Kitts and Nevis" in page and "St. Kitts" not in page


def test_a_missions_details_are_edited_with_problems_shown_next_to_their_fields(app, make_client):
    factories.world()
    admin = admin_client(make_client)
    admin.get("/admin/directory/AR")
    form = {"name_en": "Argentina", "name_es": "Argentina", "name_fr": "Argentine", "name_pt": "Argentina",
            "of_es": "de la Argentina", "name": "Permanent Mission of Argentina to the OAS", "language": "es",
            "timezone": "America/Buenos_Aires", "representative_name": "Carlos Alberto Pérez",
            "representative_email": "not an address", "postal_address": "2000 Avenida Siempreviva\nWashington",
            "mailbox": ""}
    page = admin.post("/admin/directory/AR", form)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert '<a href="#representative_email">' in text  # the summary links to the field
    assert 'id="representative_email-error"' in text and "This does not look like an email address." in text
    assert 'value="Carlos Alberto Pérez"' in text and "2000 Avenida Siempreviva" in text  # nothing typed is lost
    assert db.session.scalar(db.select(Mission).filter_by(member_state_code="AR")).representative_name is None

    form["representative_email"] = "cperez@mrecic.example"
    assert admin.post("/admin/directory/AR", form).status_code == 302
    mission = db.session.scalar(db.select(Mission).filter_by(member_state_code="AR"))
    assert mission.timezone == "America/Buenos_Aires" and mission.representative_email == "cperez@mrecic.example"
    history = admin.get("/admin/directory/AR").get_data(as_text=True)
    assert "Time zone: America/New_York → America/Buenos_Aires" in history
    assert "Permanent Representative: — → Carlos Alberto Pérez" in history


def test_a_system_just_started_is_not_reported_for_a_sweep_it_has_not_had_time_to_run(app):
    from datetime import datetime, timedelta

    from workflow import status

    start = datetime(2030, 10, 1, 9, 0)
    status.heartbeat("celery@web", at=start)
    found = status.snapshot(at=start + timedelta(minutes=5))
    assert found["workers"]["ok"] is False  # five minutes without a heartbeat: stopped
    for minute in range(0, 16):
        status.heartbeat("celery@web", at=start + timedelta(minutes=minute))
    assert status.snapshot(at=start + timedelta(minutes=10))["sweep"]["ok"]  # the first sweep is to come
    late = status.snapshot(at=start + timedelta(minutes=15, seconds=30))
    assert late["workers"]["ok"] and not late["sweep"]["ok"]  # 15 minutes and still no sweep
    status.sweep_done({"reminders": 3}, at=start + timedelta(minutes=15))
    assert status.snapshot(at=start + timedelta(minutes=15, seconds=30))["sweep"]["ok"]


def test_the_import_page_reads_only_the_membership_lists_it_offers(app, make_client):
    factories.world()
    admin = admin_client(make_client)
    admin.get("/admin/import")
    page = admin.post("/admin/import", {"membership": "../../settings.py"})
    assert page.status_code == 422 and "Choose one of the options offered." in page.get_data(as_text=True)
    page = admin.post("/admin/import", {"membership": "coe.csv"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Importing this file makes 46 changes" in text


def test_the_status_page_counts_the_last_sweep_in_agreement_with_its_numbers(app, make_client):
    from workflow import status

    factories.world()
    status.sweep_done({"reminders": 1, "marked_late": 0, "closed": [7], "failed": [8, 9]})
    db.session.commit()
    page = admin_client(make_client).get("/admin/status").get_data(as_text=True)
    assert "1 reminder, 0 marked late, 1 call closed, 2 calls it could not process." in page


def test_each_version_leaves_the_experts_it_names_one_place_in_the_call(app):
    """The roster follows the answer: an expert named twice has one place (the last row's role); an
    amended answer that keeps one expert in another role and leaves the other out moves the first
    and takes the second's place away, the person staying in the roster."""
    from workflow.models import RosterNomination
    from workflow.submissions import amend, save, submit

    from .factories import EXPERT, filled

    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"].mission)
    content = filled(w["call"])
    other = {**EXPERT, "name": "Pedro Gómez", "email": "pgomez@mpf.example", "role": "delegate"}
    content["experts"]["experts"] = [dict(EXPERT), {**EXPERT, "role": "head_of_delegation"}, other]
    save(sub, content, w["ar"], lock_version=0)
    submit(sub, w["ar"])
    db.session.commit()

    def places():
        db.session.expire_all()
        return sorted((n.expert.name, n.role) for n in db.session.scalars(
            db.select(RosterNomination).filter_by(call_id=w["call"].id)))

    assert places() == [("Ana Souza", "head_of_delegation"), ("Pedro Gómez", "delegate")]
    amend(sub, w["ar"])
    content["experts"]["experts"] = [{**EXPERT, "role": "delegate"}]
    save(sub, content, w["ar"], lock_version=sub.lock_version)
    submit(sub, w["ar"])
    db.session.commit()
    assert places() == [("Ana Souza", "delegate")]
    assert sorted(e.name for e in roster.of_mission(w["ar"].mission_id)) == ["Ana Souza", "Pedro Gómez"]
