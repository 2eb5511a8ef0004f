"""Calls as data: a second kind of call from a file works with no code change."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml

from workflow.calls import CallDefinitionError, clone, export_call, import_call, parse
from workflow.db import db
from workflow.models import Call
from workflow.sections import KINDS

from . import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def participant(i, funding):
    return {f"participants-experts-{i}-name": f"Participant {i}",
            f"participants-experts-{i}-institution": "Ministry of Legal Affairs",
            f"participants-experts-{i}-email": f"p{i}@gov.example",
            f"participants-experts-{i}-role": "delegate",
            f"participants-experts-{i}-funding": funding}


def test_workshop_call_quota_required_document_and_questions(app, client):
    factories.mission("TT")
    factories.mission("AR")
    tt_mission = factories.mission("TT")
    factories.user("focal@tt.example", mission=tt_mission)
    factories.user("focal@ar.example", mission=factories.mission("AR"))
    call = factories.call_from_file("regional-workshop-2008.yaml", addressed=["TT"], deadline="2030-02-08 17:00")
    db.session.commit()
    assert [s.mission.code for s in call.submissions] == ["TT"]

    url = f"/portal/calls/{call.id}"
    client.sign_in("focal@tt.example")
    page = client.get(url).get_data(as_text=True)
    assert "Funded place" in page and "Country report (PDF or Word)" in page

    form = {"lock_version": "0", "action": "submit", **participant(0, "funded"), **participant(1, "funded"),
            **participant(2, "funded"), "logistics-interpretation": ""}
    page = client.post(url, form).get_data(as_text=True)
    assert "Only 2 funded places for this member state; mark further experts at own cost." in page
    assert "This document is required." in page
    assert "This question needs an answer." in page
    assert page.count('value="Participant 2"') == 1  # the third participant is kept as typed

    form.update({"lock_version": "1", "participants-experts-2-funding": "own_cost",
                 "logistics-interpretation": "Spanish",
                 "legislation_report-report": (io.BytesIO(b"just text, not a PDF"), "report.pdf")})
    page = client.post(url, form, content_type="multipart/form-data").get_data(as_text=True)
    assert "Upload one of these kinds of file: PDF, DOCX, DOC, ODT." in page

    form.update({"lock_version": "2", "legislation_report-report": (io.BytesIO(PDF), "Informe nacional.pdf")})
    response = client.post(url, form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    sub = factories.submission_of(call, tt_mission)
    experts = sub.latest_version.content["participants"]["experts"]
    assert [e["funding"] for e in experts] == ["funded", "funded", "own_cost"]
    assert sub.latest_version.content["logistics"]["answers"]["interpretation"] == "Spanish"


def test_definition_errors_are_reported_clearly(app):
    text = (factories.CALLS / "ciber-v-2007.yaml").read_text()
    data = yaml.safe_load(text)
    data["timezone"] = "Mars/Olympus"
    data["sections"][0]["max"] = 0
    data["sections"].append({"key": "experts", "kind": "poems", "title": "x"})
    with pytest.raises(CallDefinitionError) as caught:
        parse(yaml.safe_dump(data))
    joined = " | ".join(caught.value.errors)
    assert "Mars/Olympus is not a known time zone" in joined
    assert "sections[0].max: a whole number from 1 to 50" in joined
    assert "every key must be different" in joined
    assert "sections[4].kind: one of nominations" in joined
    with pytest.raises(CallDefinitionError, match="not valid YAML"):
        parse("slug: [unclosed")
    # What YAML makes of `timezone: no`, `deadline: 0` or a list: a message, never a crash.
    for field, value, message in [("timezone", False, "timezone is required"), ("deadline", 0, "deadline is required"),
                                  ("timezone", ["Europe/Paris"], "is not a known time zone")]:
        with pytest.raises(CallDefinitionError, match=message):
            parse(yaml.safe_dump({**data, field: value}))


def test_export_import_and_clone_round_trip(app):
    factories.mission("AR")
    factories.mission("BR")
    call = factories.call_from_file(addressed=["AR", "BR"])
    text = export_call(call)
    data = yaml.safe_load(text)
    assert data["deadline"] == "2007-10-29 23:59" and data["addressed"] == ["AR", "BR"]
    assert data["sections"] == call.sections

    copy = import_call(text.replace("slug: ciber-v-2007", "slug: ciber-v-copy"))
    assert (copy.deadline, copy.sections, copy.title) == (call.deadline, call.sections, call.title)

    nxt = clone(call, slug="ciber-vi-2008", reference="CIBER-VI/doc.1/08",
                shift=__import__("datetime").timedelta(days=364))
    db.session.commit()
    assert nxt.meeting["starts"] == "2008-11-17" and nxt.deadline.date().isoformat() == "2008-10-28"
    assert len(nxt.submissions) == 2 and all(s.state == "not_started" for s in nxt.submissions)
    assert db.session.scalar(db.select(db.func.count()).select_from(Call)) == 3


def test_cli_imports_exports_and_clones(app, runner, tmp_path):
    result = runner.invoke(args=["missiva", "demo"])
    assert result.exit_code == 0, result.output
    assert "CIBER-V/doc.1/07: 35 missions" in result.output
    assert "CIBER/WS-CAR/doc.1/08: 14 missions" in result.output
    out = tmp_path / "c.yaml"
    assert runner.invoke(args=["missiva", "export-call", "ciber-v-2007", "-o", str(out)]).exit_code == 0
    result = runner.invoke(args=["missiva", "clone-call", "ciber-v-2007", "ciber-vi", "--reference", "CIBER-VI"])
    assert "cloned ciber-v-2007 as ciber-vi" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: Bad Slug\n")
    result = runner.invoke(args=["missiva", "import-call", str(bad)])
    assert result.exit_code == 1 and "reference is required" in result.output
    result = runner.invoke(args=["missiva", "create-user", "new@gov.example", "--name", "New", "--role",
                                 "focal_point", "--mission", "MX", "--password", "pw-123456"])
    assert result.exit_code == 0, result.output
    link = runner.invoke(args=["missiva", "sign-in-link", "new@gov.example"]).output.strip()
    assert link.startswith("http://missiva.example/sign-in/")


def test_only_a_kinds_own_module_names_its_kind():
    """Section kinds have one home each: no code or template outside workflow/sections/ and
    templates/sections/ compares a section's kind with a kind's name."""
    root = Path(__file__).resolve().parent.parent
    names = "|".join(KINDS)
    comparison = re.compile(rf"""(==|!=|\bin\b|\bis\b)\s*\(?\s*['"]({names})['"]|['"]({names})['"]\s*(==|!=|\bin\b)""")
    offenders = []
    for folder in ("workflow", "forms", "views", "tasks", "templates"):
        for path in (root / folder).rglob("*"):
            inside = path.relative_to(root).parts[:2] in (("workflow", "sections"), ("templates", "sections"))
            if path.suffix in (".py", ".html", ".txt") and not inside:
                for number, line in enumerate(path.read_text().splitlines(), start=1):
                    if comparison.search(line):
                        offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    for module in ("app.py", "cli.py"):
        for number, line in enumerate((root / module).read_text().splitlines(), start=1):
            if comparison.search(line):
                offenders.append(f"{module}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
    assert set(KINDS) == {"nominations", "experience_areas", "agenda_comments", "documents", "questions"}
    for name, kind in KINDS.items():
        for part in ("form", "view", "report"):
            assert (root / "templates" / kind.template(part)).is_file(), (name, part)
