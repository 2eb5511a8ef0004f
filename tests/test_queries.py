"""The status board and the review queue cost the same number of SQL queries for 3 member states
as for 30, and for 1 call as for 4; on SQLite a posted answer takes the write lock only to store it."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from workflow.calls import address
from workflow.db import db
from workflow.models import Call
from workflow.submissions import save, submit

from . import factories
from .factories import filled

CODES = ["CL", "CO", "MX", "PE", "UY", "PY", "BO", "EC", "VE", "GT", "HN", "SV", "NI", "CR", "PA",
         "DO", "CU", "HT", "JM", "TT", "BB", "BS", "BZ", "GY", "SR", "CA", "US", "AG", "DM", "GD", "KN"]


@contextmanager
def counting():
    count = [0]

    def bump(*args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", bump)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", bump)


@contextmanager
def recording():
    """The SQL statements run inside, each on one line."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def opened_answer(make_client, call):
    """Argentina's focal point with the answer page open: the client and the page's address."""
    focal = make_client().sign_in("focal@ar.example")
    url = f"/portal/calls/{call.id}"
    focal.get(url)
    return focal, url


def grow(call, codes):
    for code in codes:
        mission = factories.mission(code)
        user = factories.user(f"focal@{code.lower()}.example", mission=mission)
        address(call, [code])
        db.session.flush()
        sub = factories.submission_of(call, mission)
        save(sub, filled(call), user, lock_version=0)
        submit(sub, user)
    db.session.commit()


def pages(client, call_ids):
    measured = {}
    for name, url in [("board", f"/secretariat/calls/{call_ids[0]}"), ("queue", "/secretariat/queue?state=any"),
                      ("calls", "/secretariat/")]:
        with counting() as count:
            assert client.get(url).status_code == 200
        measured[name] = count[0]
    return measured


def test_query_count_does_not_grow_with_states_or_calls(app, client):
    w = factories.world()
    calls = [w["call"]]
    grow(w["call"], CODES[:3])
    client.sign_in("officer@sec.example")
    small = pages(client, [c.id for c in calls])
    grow(w["call"], CODES[3:30])
    for i in range(3):
        extra = factories.call_from_file(slug=f"extra-{i}", addressed=CODES[:30])
        calls.append(extra)
        grow(extra, [])
        for sub in extra.submissions[:10]:
            user = sub.mission.focal_points[0]
            save(sub, filled(extra), user, lock_version=0)
            submit(sub, user)
    db.session.commit()
    large = pages(client, [c.id for c in calls])
    print(f"\nSQL queries per page, 3 states x 1 call: {small}; 30 states x 4 calls: {large}")
    assert large == small


def _older_calls(n: int) -> list:
    """n more calls, each deadline a week before the previous one (the newest first)."""
    from datetime import timedelta

    w = factories.world()
    made = [w["call"]]
    for i in range(n):
        extra = factories.call_from_file(slug=f"older-{i}", addressed=["AR"])
        extra.reference = f"OLDER/{i}"
        extra.deadline = w["call"].deadline - timedelta(days=7 * (i + 1))
        made.append(extra)
    db.session.commit()
    return made


def test_the_calls_list_goes_page_by_page_with_the_counts_of_what_it_shows(app, client):
    made = _older_calls(26)
    client.sign_in("officer@sec.example")
    first = client.get("/secretariat/").get_data(as_text=True)
    assert made[0].reference in first and "OLDER/23" in first and "OLDER/24" not in first
    assert "Next page" in first and "Previous page" not in first
    second = client.get("/secretariat/?page=2").get_data(as_text=True)
    assert "OLDER/24" in second and "OLDER/25" in second and made[0].reference not in second
    assert "Previous page" in second and "Next page" not in second
    with counting() as count:
        client.get("/secretariat/?page=2")
    with counting() as again:
        client.get("/secretariat/")
    assert count[0] == again[0]


def test_a_call_filter_offers_open_and_recent_calls_and_keeps_the_one_chosen(app, client, monkeypatch):
    from workflow import calls

    monkeypatch.setattr(calls, "CHOICES", 3)
    made = _older_calls(6)
    for call in made[1:]:
        call.status = "closed"
    made[-1].status = "open"  # the oldest is still open
    db.session.commit()
    client.sign_in("officer@sec.example")
    page = client.get("/secretariat/queue").get_data(as_text=True)
    offered = [c.reference for c in made if f'value="{c.id}"' in page]
    assert offered == [made[0].reference, "OLDER/0", "OLDER/1", "OLDER/5"]
    chosen = client.get(f"/secretariat/queue?call={made[4].id}&state=any").get_data(as_text=True)
    assert f'value="{made[4].id}" selected' in chosen


def test_a_sweep_with_nothing_due_costs_the_same_for_one_open_call_as_for_many(app):
    from workflow import deadlines

    def quiet_sweep() -> int:
        deadlines.sweep()  # the first look at new calls plans when each next has something due
        db.session.commit()
        with counting() as count:
            assert deadlines.sweep().reminders == 0
        db.session.commit()
        return count[0]

    factories.world()
    one = quiet_sweep()
    for i in range(6):
        factories.call_from_file(slug=f"open-{i}", addressed=CODES[:5])
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Call).filter_by(status="open")) == 7
    assert quiet_sweep() == one


def test_an_answer_is_checked_before_the_write_lock_is_taken(app, make_client, database):
    """SQLite takes one writer at a time: a posted answer is read and checked (a form of 13
    sections) in a transaction that takes no write lock, and takes it only to store the answer, so
    at a deadline rush the missions wait for each other's writes, not for each other's forms."""
    if database != "sqlite":
        pytest.skip("PostgreSQL has no single write lock")
    focal, url = opened_answer(make_client, factories.world()["call"])
    with recording() as seen:
        response = focal.post(url, factories.answer_form(action="submit"))
    statements = [s.split()[0] + (" IMMEDIATE" if "IMMEDIATE" in s else "") for s in seen]
    assert response.status_code == 302  # submitted
    assert statements[0] == "BEGIN"
    first_write = next(i for i, s in enumerate(statements) if s in ("INSERT", "UPDATE", "DELETE"))
    assert "BEGIN IMMEDIATE" in statements[1:first_write]
    assert "SELECT" in statements[1:statements.index("BEGIN IMMEDIATE")]  # the reading came first


def test_an_answer_posted_as_the_call_closes_is_stored_by_the_call_as_it_is_then(app, make_client, database,
                                                                                   monkeypatch):
    """What the reading transaction loaded is kept for the write, except what decides it: the
    call closed by the secretariat while the answer was being checked refuses it, and nothing is
    submitted."""
    if database != "sqlite":
        pytest.skip("PostgreSQL reads and writes in one transaction")
    import views.answering

    w = factories.world()
    focal, url = opened_answer(make_client, w["call"])
    writing = views.answering.start_writing

    def closed_meanwhile(*fresh):
        with db.engine.begin() as other:  # the secretariat, on its own connection
            other.execute(db.update(Call).where(Call.id == w["call"].id).values(status="closed"))
        writing(*fresh)

    monkeypatch.setattr(views.answering, "start_writing", closed_meanwhile)
    response = focal.post(url, factories.answer_form(action="submit"))
    assert response.status_code == 409
    assert "This call is closed and no longer takes answers." in response.get_data(as_text=True)
    db.session.expire_all()
    assert {s.mission.code: s.state for s in db.session.get(Call, w["call"].id).submissions}["AR"] == "not_started"


def test_the_answer_page_reads_the_call_with_the_mission_s_answer(app, make_client):
    """The page and every save need the call at once: it comes in the query that finds the
    mission's own answer, not in a second one."""
    focal, url = opened_answer(make_client, factories.world()["call"])
    with recording() as statements:
        assert focal.get(url).status_code == 200
    reads = [s for s in statements if s.startswith("SELECT")]
    assert any(" FROM submission JOIN call " in s for s in reads), reads
    assert not any(s.startswith("SELECT call.") and " FROM call " in s for s in reads), reads
