"""The answer page as a busy diplomat uses it: every problem listed at the top as a link to its
field, one more expert when asked for one, an expert taken off, and no silent cut of a post."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func

from workflow.db import db
from workflow.models import AuditEvent

from . import factories


def expert(i, **fields):
    base = {"name": f"Expert {i}", "institution": "Ministerio", "email": f"e{i}@gov.example", "role": "delegate"}
    return {f"experts-experts-{i}-{k}": v for k, v in {**base, **fields}.items()}


def blocks(page):
    return len(re.findall(r'<fieldset class="expert"', page))


def test_the_summary_lists_each_problem_as_a_link_to_its_field(app, client):
    w = factories.world()
    client.sign_in("focal@ar.example")
    url = f"/portal/calls/{w['call'].id}"
    client.get(url)
    page = client.post(url, {"lock_version": "0", "action": "submit", **expert(0, email="not-an-address",
                                                                           institution="")}).get_data(as_text=True)
    summary = page[page.index('class="error-summary"'):page.index("</ul>", page.index('class="error-summary"'))]
    assert 'href="#experts-experts-0-email"' in summary and "This does not look like an email address." in summary
    assert 'href="#experts-experts-0-institution"' in summary and "Give the expert&#39;s institution." in summary
    assert 'id="experts-experts-0-email"' in page  # the link leads to the field itself


def test_add_exactly_one_expert_and_remove_one(app, client):
    w = factories.world()
    call, url = w["call"], f"/portal/calls/{w['call'].id}"
    client.sign_in("focal@ar.example")
    assert blocks(client.get(url).get_data(as_text=True)) == 1
    response = client.post(url, {"lock_version": "0", "action": "more:experts", **expert(0)})
    assert response.status_code == 302 and "more=experts" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert blocks(page) == 2  # the one named, and exactly one more
    response = client.post(url, {"lock_version": "1", "action": "more:experts", **expert(0), **expert(1)})
    assert blocks(client.get(response.headers["Location"]).get_data(as_text=True)) == 3
    assert blocks(client.get(url).get_data(as_text=True)) == 2  # no empty block unless asked for

    response = client.post(url, {"lock_version": "2", "action": "remove:experts:experts:0", **expert(0), **expert(1)})
    assert response.status_code == 302
    submission = factories.submission_of(call, w["ar"].mission)
    assert [e["name"] for e in submission.content["experts"]["experts"]] == ["Expert 1"]


def test_a_post_with_more_experts_than_allowed_is_refused_not_cut(app, client):
    w = factories.world()
    call, url = w["call"], f"/portal/calls/{w['call'].id}"
    limit = call.section("experts")["max"]
    client.sign_in("focal@ar.example")
    client.get(url)
    form = {"lock_version": "0", "action": "submit"}
    for i in range(limit + 2):
        form.update(expert(i))
    response = client.post(url, form)
    assert response.status_code == 422
    assert f"At most {limit} are allowed here." in response.get_data(as_text=True)
    db.session.expire_all()
    submission = factories.submission_of(call, w["ar"].mission)
    assert submission.state == "not_started" and not submission.content["experts"]["experts"]


def test_check_your_answer_then_submit_on_behalf_of_the_state(app, client):
    w = factories.world()
    call, url = w["call"], f"/portal/calls/{w['call'].id}"
    client.sign_in("focal@ar.example")
    page = client.get(url).get_data(as_text=True)
    assert 'value="review"' in page and "Check your answer and submit" in page
    incomplete = client.post(url, {"lock_version": "0", "action": "review", **expert(0, institution="")})
    assert incomplete.status_code == 422 and "Give the expert&#39;s institution." in incomplete.get_data(as_text=True)

    response = client.post(url, factories.answer_form(lock_version="1", action="review"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/portal/calls/{call.id}/check")
    check = client.get(f"{url}/check").get_data(as_text=True)
    assert "Check your answer before you submit it" in check and "María José Núñez" in check
    assert "Submit on behalf of Argentina" in check
    submission = factories.submission_of(call, w["ar"].mission)
    assert submission.state == "draft" and not submission.versions  # nothing is sent before the check

    stale = client.post(f"{url}/check", {"lock_version": str(submission.lock_version - 1)})
    assert stale.status_code == 302 and not factories.submission_of(call, w["ar"].mission).versions
    done = client.post(f"{url}/check", {"lock_version": str(submission.lock_version)})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/portal/calls/{call.id}/receipt/1")
    assert factories.submission_of(call, w["ar"].mission).state == "submitted"


def test_the_check_shows_what_was_left_blank_as_a_dash(app, client):
    w = factories.world()
    url = f"/portal/calls/{w['call'].id}"
    client.sign_in("focal@ar.example")
    client.get(url)
    form = factories.answer_form(lock_version="0", action="review") | {
        "experts-experts-0-title": "", "experts-experts-0-phone": ""}
    assert client.post(url, form).status_code == 302
    check = client.get(f"{url}/check").get_data(as_text=True)
    assert 'data-label="Telephone">—</td>' in check and 'data-label="Title or post">—</td>' in check
    assert 'data-label="Institution">Ministerio Público Fiscal</td>' in check


def test_the_board_lists_states_by_name_in_the_readers_language_and_exports_them(app, client):
    import io

    from openpyxl import load_workbook

    for code in ("BR", "BS", "HT", "PE", "SV"):
        factories.mission(code)
    factories.user("officer@sec.example", role="officer")
    call = factories.call_from_file(addressed=["BR", "BS", "HT", "PE", "SV"], deadline="2030-10-29 23:59")
    db.session.commit()
    client.sign_in("officer@sec.example")
    client.post("/language/es", {"next": "/"})
    page = client.get(f"/secretariat/calls/{call.id}").get_data(as_text=True)
    board = page[page.index('<table class="board">'):]
    order = [board.index(name) for name in ("Bahamas", "Brasil", "El Salvador", "Haití", "Perú")]
    assert order == sorted(order)  # by name as read in Spanish, accents ignored (not by ISO code)
    ticked = client.get(f"/secretariat/calls/{call.id}?tick=not_started").get_data(as_text=True)
    assert ticked.count('name="submission"') == 5 and ticked.count(" checked>") == 5
    assert "Bahamas" not in client.get(f"/secretariat/calls/{call.id}?state=accepted").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(client.get(f"/secretariat/calls/{call.id}/board.xlsx").data)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Bahamas", "Brasil", "El Salvador", "Haití", "Perú"]


def test_the_answer_form_follows_an_edited_call_and_the_readers_language(app, client):
    """Answer forms of the same shape share their class; an edited item, a new one, another
    language each show at once."""
    import copy

    w = factories.world()
    call = w["call"]
    client.sign_in("focal@ar.example")
    url = f"/portal/calls/{call.id}"
    assert client.get(url).get_data(as_text=True).count('name="agenda-item_') == 9
    sections = copy.deepcopy(call.sections)
    agenda = next(s for s in sections if s["key"] == "agenda")
    agenda["items"][0]["title"] = {"en": "Opening of the plenary", "es": "Apertura del plenario"}
    agenda["items"].append({"number": 99, "title": {"en": "Closing remarks", "es": "Palabras de clausura"}})
    call.sections = sections
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert page.count('name="agenda-item_') == 10 and "Opening of the plenary" in page and "99. Closing remarks" in page
    client.post("/language/es", {"next": url})
    page = client.get(url).get_data(as_text=True)
    assert "Apertura del plenario" in page and "Comentarios generales" in page and "Opening" not in page


def test_the_board_shows_a_states_own_deadline_and_chases_it_by_that_deadline(app, client):
    from workflow.submissions import extend_deadline

    w = factories.world()
    call = w["call"]
    ar = factories.submission_of(call, w["ar"].mission)
    extend_deadline(ar, datetime(2030, 11, 20, 18, 0), w["officer"])
    db.session.commit()
    client.sign_in("officer@sec.example")
    board = client.get(f"/secretariat/calls/{call.id}").get_data(as_text=True)
    rows = {code: row for row in board.split('<tr class="row-')[1:] for code in ("AR", "BR")
            if f'<span class="ref">{code}</span>' in row}
    extended, cells_br = rows["AR"].split("<td>"), rows["BR"].split("<td>")
    assert "11/20/30" in extended[-1] and cells_br[-1].startswith("—")  # the deadline column
    assert extended[-2].startswith("11/6/30") and cells_br[-2].startswith("10/15/30")  # the next reminder


def test_the_sign_in_link_page_speaks_the_persons_language(app, client):
    from workflow import invitations

    w = factories.world()
    w["br"].locale = "pt"
    db.session.commit()
    link = invitations.link_for(w["br"]).removeprefix(app.config["BASE_URL"])
    page = client.get(link).get_data(as_text=True)
    assert '<html lang="pt">' in page and "Continuar para o Missiva" in page


def test_the_draft_saves_itself_as_json_and_never_over_a_newer_save(app, make_client):
    w = factories.world()
    call = w["call"]
    url = f"/portal/calls/{call.id}"
    mission = make_client().sign_in("focal@ar.example")
    mission.get(url)

    response = mission.post(url, factories.answer_form(action="autosave"))
    assert response.status_code == 200 and response.json["saved"] is True
    assert response.json["lock_version"] == 1 and "Draft saved automatically at" in response.json["message"]
    assert "María José Núñez" in mission.get(url).get_data(as_text=True)

    # Nothing new: nothing written, no event in the trail.
    events = db.session.scalar(db.select(func.count()).select_from(AuditEvent))
    again = mission.post(url, factories.answer_form(action="autosave", lock_version="1"))
    assert again.json == {"saved": True, "lock_version": 1, "message": ""}
    assert db.session.scalar(db.select(func.count()).select_from(AuditEvent)) == events

    # A colleague saved in between: the autosave stops and says why, and overwrites nothing.
    colleague = make_client().sign_in("second@ar.example")
    colleague.post(url, factories.answer_form(action="save", lock_version="1", **{"experts-experts-0-name": "Otro"}))
    stale = mission.post(url, factories.answer_form(action="autosave", lock_version="1"))
    assert stale.status_code == 409 and stale.json["saved"] is False
    assert "Someone else saved this answer" in stale.json["message"]
    assert factories.submission_of(call, w["ar"].mission).content["experts"]["experts"][0]["name"] == "Otro"
