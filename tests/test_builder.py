"""The call builder: a secretariat writes any call in the browser, in several languages, with no
YAML typed; checks name each bad value; a change that would leave answers behind asks first."""
from __future__ import annotations

import io
import re

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from workflow import report, report_render
from workflow.calls import CallDefinitionError, create, export_call, parse, to_definition
from workflow.db import db
from workflow.models import AuditEvent, Call, OutboxMessage

from . import factories
from .builder_page import Builder


def officer_and_missions():
    for code, language in (("AR", "es"), ("BR", "pt"), ("TT", "en")):
        factories.user(f"focal@{code.lower()}.example", mission=factories.mission(code, language))
    factories.user("officer@sec.example", role="officer")
    db.session.commit()


def build_workshop(client) -> Builder:
    """An officer writes a workshop call in the editor, one section of each kind, three languages."""
    page = Builder(client, "/secretariat/calls/new")
    page.fill(reference="CIBER/WS/doc.1/27", slug="workshop-2027", **{
        "title.en": "Regional workshop on cyber-crime", "title.es": "Taller regional sobre delito cibernético",
        "title.fr": "Atelier régional sur la cybercriminalité", "deadline": "2030-05-01T17:00",
        "timezone": "America/Port_of_Spain", "contact.email": "cyber@oas.example", "addressed_all": False,
        "addressed": ["AR", "TT"], "reminders.days_before": "10, 3", "reminders.escalate_from": "2"})
    page.fill(**{"sections[0].title.en": "Participants", "sections[0].title.es": "Participantes",
                 "sections[0].min": "1", "sections[0].max": "3", "sections[0].funded_quota": "1"})
    page.press("add-item:0:overrides")
    page.fill(**{"sections[0].overrides[0].state": "TT", "sections[0].overrides[0].max": "6",
                 "sections[0].overrides[0].funded_quota": "4"})
    page.press("add:experience_areas")
    page.fill(**{"sections[1].title.en": "Experiences", "sections[1].title.es": "Experiencias",
                 "sections[1].areas[0].label.en": "Legislation", "sections[1].areas[0].label.es": "Legislación"})
    page.press("add-item:1:areas")
    page.fill(**{"sections[1].areas[1].label.en": "Training", "sections[1].areas[1].free_text": True})
    page.press("add:agenda_comments")
    page.fill(**{"sections[2].title.en": "Draft agenda", "sections[2].title.es": "Proyecto de temario",
                 "sections[2].items[0].title.en": "Opening", "sections[2].items[0].title.es": "Apertura"})
    page.press("add:documents")
    page.fill(**{"sections[3].title.en": "Country report", "sections[3].documents[0].label.en": "Report",
                 "sections[3].documents[0].label.es": "Informe", "sections[3].documents[0].required": True,
                 "sections[3].documents[0].max_mb": "20", "sections[3].documents[0].types": ["pdf", "docx"]})
    page.press("add:questions")
    page.fill(**{"sections[4].title.en": "Logistics", "sections[4].title.es": "Logística",
                 "sections[4].questions[0].label.en": "Interpretation needed",
                 "sections[4].questions[0].label.es": "Interpretación necesaria",
                 "sections[4].questions[0].type": "choice", "sections[4].questions[0].required": True,
                 "sections[4].questions[0].choices.en": "English\nSpanish",
                 "sections[4].questions[0].choices.es": "Inglés\nEspañol"})
    return page


def test_a_call_built_in_the_editor_with_a_section_of_each_kind(app, client):
    officer_and_missions()
    client.sign_in("officer@sec.example")
    page = build_workshop(client)
    # the agenda section is moved to the end and back; a stray second area removed
    page.press("down:2")
    assert page.get("sections[3].kind") == "agenda_comments"
    page.press("up:3")
    page.press("add-item:1:areas")
    page.press("remove-item:1:areas:2")
    page.set("addressed", False)
    page.press("region:caribbean")  # states picked by region
    assert page.get("addressed_all") is None and [v for n, v in page.values if n == "addressed"] == ["TT"]
    page.press("region:south_america")
    assert page.get("sections[1].areas[2].label.en") is None
    def marked(field):  # the "missing" mark beside a language's entry, shown or hidden
        label = re.search(rf'<label for="{field}"[^>]*>(.*?)</label>', page.html, re.S).group(1)
        return 'class="badge missing">' in label
    assert marked("f-sections-0-title-fr") and not marked("f-sections-0-title-es")  # no French given
    response = page.press("save")
    assert response.status_code == 302, page.html[:3000]

    call = db.session.scalar(db.select(Call).filter_by(slug="workshop-2027"))
    assert call.status == "draft"
    assert call.title == {"en": "Regional workshop on cyber-crime", "es": "Taller regional sobre delito cibernético",
                          "fr": "Atelier régional sur la cybercriminalité"}
    assert [s["kind"] for s in call.sections] == ["nominations", "experience_areas", "agenda_comments",
                                                  "documents", "questions"]
    experts, areas, agenda, documents, questions = call.sections
    assert experts["overrides"] == [{"state": "TT", "max": 6, "funded_quota": 4}]
    assert (experts["min"], experts["max"], experts["funded_quota"]) == (1, 3, 1)
    assert [a["label"] for a in areas["areas"]] == [{"en": "Legislation", "es": "Legislación"}, {"en": "Training"}]
    assert areas["areas"][1]["free_text"] is True and areas["areas"][0]["key"] != areas["areas"][1]["key"]
    assert agenda["items"] == [{"number": 1, "title": {"en": "Opening", "es": "Apertura"}}]
    assert documents["documents"][0] | {"key": "k"} == {"key": "k", "label": {"en": "Report", "es": "Informe"},
                                                        "required": True, "max_mb": 20, "types": ["pdf", "docx"]}
    assert questions["questions"][0]["choices"] == [{"en": "English", "es": "Inglés"}, {"en": "Spanish", "es": "Español"}]
    assert call.reminders["days_before"] == [10, 3] and call.reminders["escalate_from"] == 2
    assert sorted(s.mission.code for s in call.submissions) == ["AR", "BR", "TT"]
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="call_created", call_id=call.id))

    # missions do not see a draft; once opened, Argentina's focal point reads the Spanish texts
    client.sign_in("focal@ar.example")
    assert client.get(f"/portal/calls/{call.id}").status_code == 404
    client.sign_in("officer@sec.example")
    client.get(f"/secretariat/calls/{call.id}")
    assert client.post(f"/secretariat/calls/{call.id}/open").status_code == 302
    assert db.session.get(Call, call.id).status == "open"
    assert db.session.scalar(db.select(OutboxMessage).filter_by(kind="invitation", call_id=call.id))
    client.sign_in("focal@ar.example")
    client.post("/language/es", {"next": f"/portal/calls/{call.id}"})
    page = client.get(f"/portal/calls/{call.id}").get_data(as_text=True)
    for text in ("Taller regional sobre delito cibernético", "Participantes", "Legislación", "1. Apertura",
                 "Informe", "Interpretación necesaria", "Español"):
        assert text in page, text
    assert "Training" in page  # no Spanish given: the call's own language


def test_a_states_own_figures_rule_its_form_participants_and_report(app, client):
    officer_and_missions()
    client.sign_in("officer@sec.example")
    build_workshop(client).press("save")
    call = db.session.scalar(db.select(Call).filter_by(slug="workshop-2027"))
    call.status = "open"
    db.session.commit()

    def experts(n, funded):
        question = f"{keys['questions']}-{call.sections[4]['questions'][0]['key']}"
        form = {"lock_version": "0", "action": "submit", question: "English"}
        for i in range(n):
            form.update({f"participants-experts-{i}-name": f"Expert {i}",
                         f"participants-experts-{i}-institution": "Ministry",
                         f"participants-experts-{i}-email": f"e{i}@gov.example",
                         f"participants-experts-{i}-role": "delegate",
                         f"participants-experts-{i}-funding": "funded" if i < funded else "own_cost"})
        return form

    keys = {s["kind"]: s["key"] for s in call.sections}
    client.sign_in("focal@tt.example")
    page = client.get(f"/portal/calls/{call.id}").get_data(as_text=True)
    assert "Between 1 and 6 experts." in page and "4 funded places for your member state" in page
    form = {k.replace("participants-", f"{keys['nominations']}-"): v for k, v in experts(5, 4).items()}
    form[f"{keys['documents']}-{call.sections[3]['documents'][0]['key']}"] = (io.BytesIO(factories.PDF), "r.pdf")
    response = client.post(f"/portal/calls/{call.id}", form, content_type="multipart/form-data")
    assert response.status_code == 302, re.findall(r'id="([^"]*)-error"', response.get_data(as_text=True))

    client.sign_in("focal@ar.example")
    form = {k.replace("participants-", f"{keys['nominations']}-"): v for k, v in experts(2, 2).items()}
    page = client.post(f"/portal/calls/{call.id}", form).get_data(as_text=True)
    assert "Only 1 funded place for this member state" in page

    client.sign_in("officer@sec.example")
    sheet = load_workbook(io.BytesIO(client.get(f"/secretariat/calls/{call.id}/participants.xlsx").data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[-1] for r in rows if r[0] == "Trinidad and Tobago"].count("Funded place") == 4
    data = report.build(db.session.get(Call, call.id), "submitted")
    section = next(s for s in data["sections"] if s["kind"] == "nominations")
    assert [(r["code"], r["places"], len(r["experts"])) for r in section["rows"]] == [("TT", 4, 5)]
    document = Document(io.BytesIO(report_render.docx(data)))
    own = next(t for t in document.tables if t.rows[0].cells[0].text == "Member state"
               and t.rows[0].cells[-1].text == "Funded places")
    assert [c.text for c in own.rows[1].cells] == [data["sections"][0]["rows"][0]["state"], "5", "4", "4"]


def test_each_bad_value_is_refused_next_to_its_field_and_nothing_typed_is_lost(app, client):
    officer_and_missions()
    client.sign_in("officer@sec.example")
    page = build_workshop(client)
    page.fill(**{"reminders.days_before": "14, soon", "reminders.escalate_from": "9",
                 "sections[0].min": "5", "sections[0].max": "2", "sections[0].funded_quota": "many",
                 "sections[3].documents[0].max_mb": "500",
                 "deadline": "1900-01-01T10:00", "sections[1].areas[0].label.en": "",
                 "sections[1].areas[0].label.es": "", "sections[4].questions[0].choices.en": "",
                 "sections[4].questions[0].choices.es": ""})
    response = page.press("save")
    assert response.status_code == 422
    html = page.html
    for path, message in [
            ("reminders.days_before", "a list of whole days from 0 to 365"),
            ("sections[0].funded_quota", "a whole number from 0 to 50"),
            ("sections[3].documents[0].max_mb", "a whole number from 1 to 100"),
            ("deadline", "a date and time between 1990 and 2100"),
            ("sections[1].areas[0].label", "required"),
            ("sections[4].questions[0].choices", "a non-empty list")]:
        anchor = "f-" + path.replace("[", "-").replace("]", "").replace(".", "-")
        assert f'id="{anchor}-error"' in html, path
        assert message in html, message
        assert f'href="#{anchor}"' in html, path  # the summary links to the field
    assert "Section 4 · Document 1 · Largest file (MB): a whole number from 1 to 100" in html  # as officers read it
    assert 'value="14, soon"' in html and 'value="many"' in html and 'value="500"' in html
    assert db.session.scalar(db.select(Call).filter_by(slug="workshop-2027")) is None
    page.fill(timezone="Mars/Olympus")
    assert page.press("save").status_code == 422
    assert 'id="f-timezone-error"' in page.html and "Mars/Olympus is not a known time zone" in page.html

    # a file is checked the same way; an unknown field is named with the nearest known one
    text = (factories.CALLS / "regional-workshop-2008.yaml").read_text().replace("funded_quota: 2",
                                                                                 "funded_quotas: 2")
    try:
        parse(text)
        raise AssertionError("an unknown field was accepted")
    except CallDefinitionError as exc:
        assert "sections[0].funded_quotas: unknown field (did you mean funded_quota?)" in exc.errors


def test_export_then_import_gives_the_same_definition_and_the_editor_loses_nothing(app, client):
    officer_and_missions()
    for name in ("ciber-v-2007.yaml", "regional-workshop-2008.yaml"):
        call = factories.call_from_file(name)
        db.session.commit()
        exported = export_call(call)
        again = create({**parse(exported), "slug": f"{call.slug}-again"})
        assert {**to_definition(again), "slug": call.slug} == to_definition(call)
        assert parse((factories.CALLS / name).read_text()) is not None  # the shipped file has no problem

        # opened in the editor and saved unchanged, the definition is the same
        client.sign_in("officer@sec.example")
        before = to_definition(call)
        page = Builder(client, f"/secretariat/calls/{call.id}/edit")
        assert page.press("save").status_code == 302, page.html[:3000]
        db.session.expire_all()
        assert to_definition(db.session.get(Call, call.id)) == before


def test_removing_what_holds_answers_is_explained_and_needs_confirmation(app, client):
    world = factories.world()
    call, ar = world["call"], world["ar"]
    client.sign_in("focal@ar.example")
    response = client.post(f"/portal/calls/{call.id}", factories.answer_form(
        action="submit", **{"agenda-item_3": "Incluir la estrategia de ciberseguridad."}))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    version = factories.submission_of(call, ar).versions[0]
    assert version.content["agenda"]["comments"]

    client.sign_in("officer@sec.example")
    page = Builder(client, f"/secretariat/calls/{call.id}/edit")
    agenda = next(i for i, s in enumerate(call.sections) if s["key"] == "agenda")
    page.press(f"remove:{agenda}")
    response = page.press("save")
    assert response.status_code == 409
    assert "This change would leave answers behind" in page.html and "Argentina" in page.html
    assert any(s["key"] == "agenda" for s in db.session.get(Call, call.id).sections)

    assert page.press("save-anyway").status_code == 302
    db.session.expire_all()
    assert all(s["key"] != "agenda" for s in db.session.get(Call, call.id).sections)
    assert factories.submission_of(call, ar).versions[0].content["agenda"]["comments"]  # frozen, intact
    agenda = next(s for s in report.build(db.session.get(Call, call.id), "submitted")["sections"] if s["key"] == "agenda")
    assert agenda["former"] and agenda["items"][2]["comments"][0]["text"] == "Incluir la estrategia de ciberseguridad."

    # an area that holds an answer, taken off a section that stays, is still in the report
    page = Builder(client, f"/secretariat/calls/{call.id}/edit")
    experiences = next(i for i, s in enumerate(call.sections) if s["key"] == "experiences")
    page.press(f"remove-item:{experiences}:areas:0")
    assert page.press("save").status_code == 409 and "legislation" in page.html
    assert page.press("save-anyway").status_code == 302
    db.session.expire_all()
    saved = db.session.get(Call, call.id)
    assert "legislation" not in [a["key"] for s in saved.sections if s["key"] == "experiences" for a in s["areas"]]
    areas = next(s for s in report.build(saved, "submitted")["sections"] if s["key"] == "experiences")
    assert areas["rows"][0]["areas"]["legislation"] == {"present": True,
                                                        "description": "Ley 26.388 de delitos informáticos"}


def test_preview_as_a_mission_in_spanish_and_a_test_invitation_to_oneself(app, client):
    world = factories.world()
    call = world["call"]
    client.sign_in("officer@sec.example")
    page = client.get(f"/secretariat/calls/{call.id}/preview?state=BR&language=es").get_data(as_text=True)
    assert call.title["es"] in page and "Guardar borrador" not in page  # Spanish texts; nothing to save
    assert "Nombre completo" in page  # the form's own labels in Spanish too
    assert client.post(f"/secretariat/calls/{call.id}/test-invitation",
                       {"state": "BR", "language": "es"}).status_code == 302
    message = db.session.scalar(db.select(OutboxMessage).filter_by(recipient="officer@sec.example"))
    assert message.subject.startswith("[Prueba]") and message.language == "es"
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="test_invitation_sent"))


BUILDER_NAMES = st.sampled_from([
    "slug", "reference", "title.en", "deadline", "timezone", "reminders.days_before", "reminders.escalate_from",
    "addressed", "sections[0].kind", "sections[0].key", "sections[0].min", "sections[0].max",
    "sections[0].overrides[0].state", "sections[0].overrides[3].funded_quota", "sections[1].kind",
    "sections[1].areas[0].label.en", "sections[1].documents[0].max_mb", "sections[1].questions[0].choices.es",
    "sections[1].items[0].number", "sections[9999].kind", "sections[1].questions[0].type", "action"])
BUILDER_VALUES = st.one_of(st.text(max_size=40), st.sampled_from([
    "nominations", "documents", "questions", "experience_areas", "agenda_comments", "add:questions",
    "remove:0", "up:1", "down:0", "add-item:1:areas", "remove-item:0:overrides:5", "save", "-1", "0", "99999999999",
    "2030-01-01T10:00", "America/New_York", "choice", "\x00", "\ufffe"]))


def test_no_builder_post_ends_in_a_server_error(app, client):
    officer_and_missions()
    client.sign_in("officer@sec.example")
    Builder(client, "/secretariat/calls/new")

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(BUILDER_NAMES, BUILDER_VALUES), max_size=12))
    def post(pairs):
        data: dict[str, list[str]] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        response = client.post("/secretariat/calls/new", data)
        assert response.status_code in (200, 302, 400, 422), response.status_code
        db.session.rollback()

    post()


def test_a_call_in_spanish_only_falls_back_to_spanish_and_says_so(app, client):
    fr = factories.mission("HT", "fr")
    factories.user("focal@ht.example", mission=fr, locale="fr")
    data = parse((factories.CALLS / "regional-workshop-2008.yaml").read_text())
    data.update(slug="taller-2030", language="es", addressed=["HT"], deadline="2030-02-08 17:00",
                title={"en": "Regional workshop", "es": "Taller regional"})
    data["sections"][0]["title"] = {"en": "Participants", "es": "Participantes"}
    call = create(data)
    db.session.commit()
    client.sign_in("focal@ht.example")
    page = client.get(f"/portal/calls/{call.id}").get_data(as_text=True)
    assert "Taller regional" in page and "Participantes" in page  # the call's own language, not English
    assert "Cet appel n'a pas été rédigé en Français\u00a0: ses textes sont affichés en Español." in page
