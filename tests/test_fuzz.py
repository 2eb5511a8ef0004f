"""Bad input never yields a 500, and markup always comes back escaped: generated values (long,
empty, Unicode, control characters, markup) posted to every form, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import os
from collections import Counter

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workflow import deadlines
from workflow.db import db
from workflow.models import Call

from . import factories
from .conftest import Client

SCRIPT = "<script>alert(1)</script>"
NASTY = ["", " ", SCRIPT, "\x00\x01\x1b[31m", "a" * 20000, "'; DROP TABLE \"user\";--", "{{ 7*7 }}",
         "ñandú € 𝄞 中文 العربية", "\u202eevil", "%(n)s %s {0}", "\r\n\r\n", "-1", "99999999999999999999",
         "2007-02-30T25:61", "Mars/Olympus", "key: [unclosed", "- kind: poems"]
text = st.one_of(st.text(max_size=400), st.sampled_from(NASTY))
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CASES: Counter = Counter()


def check(response, form):
    CASES[form] += 1
    assert response.status_code < 500, (form, response.status_code)
    assert SCRIPT not in response.get_data(as_text=True), form


ANSWER_FIELDS = [
    "experts-experts-0-name", "experts-experts-0-title", "experts-experts-0-institution",
    "experts-experts-0-email", "experts-experts-0-phone", "experts-experts-0-role",
    "experts-experts-1-name", "experts-experts-1-email", "experiences-legislation-present",
    "experiences-legislation-description", "experiences-other-present", "experiences-other-description",
    "agenda-general", "agenda-item_1", "agenda-item_9", "country_report-remove_developments", "action",
]


def test_fuzz_forms(app, database):
    w = factories.world()
    call = w["call"]
    sub = factories.submission_of(call, w["ar"])
    mission = Client(app).sign_in("focal@ar.example")
    officer = Client(app).sign_in("officer@sec.example")
    anonymous = Client(app)

    @SETTINGS
    @given(st.fixed_dictionaries({f: text for f in ANSWER_FIELDS}))
    def answer(values):
        db.session.refresh(sub)
        mission.get(f"/portal/calls/{call.id}")
        values["lock_version"] = str(sub.lock_version)
        check(mission.post(f"/portal/calls/{call.id}", values), "answer")

    @SETTINGS
    @given(text, text)
    def sign_in(email, password):
        anonymous.get("/login")
        check(anonymous.post("/login", {"email": email, "password": password}), "sign in")
        check(anonymous.post("/sign-in-link", {"email": email}), "sign-in link")
        check(anonymous.get(f"/sign-in/{password[:300]}"), "sign-in token")

    @SETTINGS
    @given(st.fixed_dictionaries({f: text for f in (
        "slug", "reference", "title", "title_es", "explanatory_note", "meeting_name", "meeting_starts",
        "deadline", "timezone", "sections", "addressed", "accept_late")}))
    def call_form(values):
        officer.get(f"/secretariat/calls/{call.id}/edit")
        check(officer.post("/secretariat/calls/new", values), "new call")
        check(officer.post(f"/secretariat/calls/{call.id}/edit", values), "edit call")
        check(officer.post(f"/secretariat/calls/{call.id}/clone",
                           {"slug": values["slug"], "reference": values["reference"], "days": values["deadline"]}),
              "clone call")

    @SETTINGS
    @given(text, text, text)
    def review_and_mail(comment, subject, body):
        officer.get(f"/secretariat/submissions/{sub.id}")
        check(officer.post(f"/secretariat/submissions/{sub.id}/return", {"comment": comment}), "return")
        check(officer.post(f"/secretariat/submissions/{sub.id}/extension",
                           {"deadline": subject, "action": "set"}), "extension")
        check(officer.post(f"/secretariat/calls/{call.id}/wording?kind=reminder&language=es",
                           {"subject": subject, "body": body, "action": "preview"}), "wording")
        check(officer.get(f"/secretariat/queue?call={comment[:50]}&state={subject[:50]}&page={body[:20]}"),
              "queue filters")

    for fuzz in (answer, sign_in, call_form, review_and_mail):
        fuzz()
    print(f"\nfuzz ({database}): {sum(CASES.values())} requests, {dict(CASES)}")
    assert sum(CASES.values()) >= 300
    CASES.clear()


YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12),
              st.floats(allow_nan=False), st.text(max_size=60), st.sampled_from(NASTY),
              st.sampled_from(["all", "open", "en", "2030-10-29 23:59", "9999-12-31 23:59", "0001-01-01"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12)
TOP = ["slug", "reference", "language", "title", "meeting", "explanatory_note", "contact", "timezone",
       "deadline", "policy", "reminders", "addressed", "status", "sections", "funded_quotas"]
SECTION = ["key", "kind", "title", "min", "max", "funded_quota", "areas", "items", "documents", "questions"]


def test_fuzz_call_import(app, database):
    """Any YAML value in any field of a call file: a clear refusal, or a call that can be swept,
    shown on the board and answered — never a 500."""
    factories.world()
    base = yaml.safe_load((factories.CALLS / "regional-workshop-2008.yaml").read_text(encoding="utf-8"))
    officer = Client(app).sign_in("officer@sec.example")
    mission = Client(app).sign_in("focal@ar.example")
    seen: Counter = Counter()

    @settings(max_examples=int(os.environ.get("MISSIVA_FUZZ_EXAMPLES", "60")), deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.sampled_from(TOP + [f"sections.{i}.{k}" for i in (0, 1, 2) for k in SECTION]), YAML_VALUES,
           st.integers(min_value=0, max_value=10**6))
    @example("reference", "CIBER/WS/doc.2/09", 1)  # one that must go through, whatever else is drawn
    @example("funded_quotas", 2, 2)  # a typo: refused
    def one(field, value, serial):
        data = yaml.safe_load(yaml.safe_dump(base))
        data["slug"], data["addressed"] = f"fuzz-{serial}", ["AR"]
        if field.startswith("sections."):
            _, index, key = field.split(".")
            data["sections"][int(index)][key] = value
        else:
            data[field] = value
        text = yaml.safe_dump(data, allow_unicode=True)
        officer.get("/secretariat/calls/import")
        response = officer.post("/secretariat/calls/import", {"file": (io.BytesIO(text.encode()), "call.yaml")},
                                content_type="multipart/form-data")
        check(response, "import")
        if response.status_code != 302:
            seen["refused"] += 1
            return
        seen["imported"] += 1
        call = db.session.scalar(db.select(Call).filter_by(slug=data["slug"]))
        if call is None:  # a valid file whose slug the value replaced
            call = db.session.scalar(db.select(Call).order_by(Call.id.desc()))
        assert deadlines.sweep().failed == []
        db.session.commit()
        check(officer.get(f"/secretariat/calls/{call.id}"), "board")
        check(officer.get(f"/secretariat/calls/{call.id}/export"), "export")
        check(mission.get(f"/portal/calls/{call.id}"), "answer page")

    one()
    print(f"\nimport fuzz ({database}): {dict(seen)}, {dict(CASES)}")
    assert seen["refused"] and seen["imported"]
    CASES.clear()
