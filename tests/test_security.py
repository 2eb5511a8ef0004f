"""Nobody sees what is not theirs: every URL rule, every role, GET and POST; CSRF everywhere;
headers, cookies, rate limits, upload limits, and no silent overwrite between focal points."""
from __future__ import annotations

import io

import pytest
import redis

from workflow import invitations, outbox
from workflow.db import db
from workflow.submissions import accept, save, submit

from . import factories
from .conftest import ROOT, Client

MARKER = "SECRETO-AR-7F3"
PDF = b"%PDF-1.4\n% " + MARKER.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PUBLIC = {"auth.login", "auth.request_link", "auth.sign_in_link", "auth.health", "auth.home", "static",
          "i18n.switch", "auth.logout"}
STATUS_PROBES = {"admin.system_status_json", "api.system_status"}  # 503: something needs a person
SECRETARIAT_BLUEPRINTS = ("secretariat.", "calls.", "mail.", "reports.", "admin.")


def walk_world(app):
    from workflow import documents

    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    content = {"experts": {"experts": [{"name": MARKER, "title": "", "institution": "MPF",
                                        "email": "x@mpf.example", "phone": "", "role": "delegate",
                                        "funding": "own_cost"}]},
               "country_report": {"files": {}}}
    slot = w["call"].section("country_report")["documents"][0]
    doc = documents.store(PDF, "secreto.pdf", submission=sub, section_key="country_report", slot=slot,
                          actor=w["ar"])
    content["country_report"]["files"]["developments"] = doc.id
    save(sub, content, w["ar"], lock_version=0)
    submit(sub, w["ar"])
    message = outbox.queue(key="k", kind="reminder", recipient="focal@ar.example", subject=MARKER, text=MARKER)
    from tasks.reports import compile_report
    from workflow.models import Report

    accept(sub, w["officer"])
    compiled = Report(call=w["call"], basis="accepted")
    db.session.add(compiled)
    db.session.commit()
    compile_report.run(compiled.id)
    from workflow import api_tokens, roster

    token, _secret = api_tokens.create("monitoring", w["admin"])
    expert = roster.of_mission(w["ar"].id)[0]
    db.session.commit()
    values = {"person_id": w["ar2"].id, "expert_id": expert.id, "token_id": token.id,
              "call_id": w["call"].id, "submission_id": sub.id, "document_id": doc.id,
              "message_id": message.id, "number": 1, "token": "not-a-token", "code": "es",
              "filename": "missiva.css", "report_id": compiled.id, "fmt": "docx", "name": "timeline"}
    return w, values


def url_for_rule(rule, values):
    from flask import url_for

    return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def signed_in(app, email):
    return Client(app).sign_in(email) if email else Client(app)


ROLES = {"anonymous": None, "mission_a": "focal@ar.example", "mission_b": "focal@br.example",
         "officer": "officer@sec.example", "admin": "admin@sec.example"}


def test_every_rule_with_every_role(app, database):
    _, values = walk_world(app)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "auth.logout"]
    checked, problems = 0, []
    for role, email in ROLES.items():
        client = signed_in(app, email)
        for rule in rules:
            with app.test_request_context():
                url = url_for_rule(rule, values)
            for method in ("GET", "POST"):
                if method not in rule.methods:
                    continue
                if method == "GET":
                    response = client.get(url)
                else:
                    client.get("/login")  # a fresh CSRF token
                    response = client.post(url)
                checked += 1
                body = response.get_data()
                where = f"{role} {method} {rule.rule}"
                says_unwell = rule.endpoint in STATUS_PROBES and response.status_code == 503
                if response.status_code >= 500 and not says_unwell:
                    problems.append(f"{where}: {response.status_code}")
                to_login = response.status_code == 302 and "/login" in response.headers.get("Location", "")
                if role == "anonymous" and rule.endpoint not in PUBLIC and response.status_code < 400 \
                        and not to_login:
                    problems.append(f"{where}: anonymous got {response.status_code}")
                if role.startswith("mission") and rule.endpoint.startswith(SECRETARIAT_BLUEPRINTS) \
                        and response.status_code != 403:
                    problems.append(f"{where}: a mission got {response.status_code}, not 403")
                if role in ("mission_a", "mission_b", "officer") and rule.endpoint.startswith("admin.") \
                        and response.status_code != 403:
                    problems.append(f"{where}: {role} got {response.status_code} from an admin page, not 403")
                if role in ("anonymous", "mission_b") and MARKER.encode() in body:
                    problems.append(f"{where}: mission A's answer leaked")
                if role == "mission_a" and rule.endpoint == "mission.document":
                    assert body == PDF
    print(f"\nroute walk: {len(rules)} rules x {len(ROLES)} roles, {checked} requests checked")
    assert not problems, "\n".join(problems)
    assert checked > 100


def test_every_post_needs_a_csrf_token(app):
    _, values = walk_world(app)
    # The one exception: a digest's unsubscribe link, authorised by its signature and posted by
    # mail programs without a session (RFC 8058); a link Missiva did not sign is not found.
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "profile.unsubscribe"]
    assert signed_in(app, None).post("/unsubscribe/forged.token", token=False).status_code == 404
    refused = 0
    for email in (None, "focal@ar.example", "officer@sec.example"):
        client = signed_in(app, email)
        for rule in posts:
            with app.test_request_context():
                url = url_for_rule(rule, values)
            response = client.post(url, token=False)
            assert response.status_code == 400, f"{email} POST {rule.rule}: {response.status_code}"
            assert "expired or was sent from elsewhere" in response.get_data(as_text=True)
            refused += 1
    print(f"\ncsrf: {refused} posts without a token, all refused")
    assert refused == 3 * len(posts)


def test_security_headers_and_cookies(app, client):
    factories.world()
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http
    assert "Strict-Transport-Security" not in response.headers


def test_https_base_url_turns_on_secure_cookies_and_hsts(tmp_path):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"BASE_URL": "https://missiva.example.org", "SECRET_KEY": "x", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    response = app.test_client().get("/login", base_url="https://missiva.example.org")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_sign_in_is_rate_limited_in_redis(app, client):
    from views.security import limiter

    store = "redis://127.0.0.1:6379/8"
    redis.Redis.from_url(store).flushdb()
    app.config["RATELIMIT_STORAGE_URI"] = store
    limiter.init_app(app)
    try:
        factories.world()
        client.get("/login")
        codes = [client.post("/login", {"email": "focal@ar.example", "password": "wrong"}).status_code
                 for _ in range(11)]
        assert codes[:10] == [422] * 10 and codes[10] == 429
        page = client.post("/login", {"email": "focal@ar.example", "password": "secret-pass"})
        assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)
        assert any(k.startswith(b"LIMITS") for k in redis.Redis.from_url(store).scan_iter())
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        limiter.init_app(app)


def test_too_large_upload_gets_a_clear_page(app, client):
    w = factories.world()
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    client.sign_in("focal@ar.example")
    client.get(f"/portal/calls/{w['call'].id}")
    response = client.post(f"/portal/calls/{w['call'].id}",
                           {"lock_version": "0", "action": "save",
                            "country_report-developments": (io.BytesIO(b"%PDF" + b"0" * 300_000), "big.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than 0.2 MB in all, so nothing from that page could be saved, not even the text" in page

    # In the person's language, like every other page.
    client.post("/language/es")
    response = client.post(f"/portal/calls/{w['call'].id}",
                           {"lock_version": "0", "action": "save",
                            "country_report-developments": (io.BytesIO(b"%PDF" + b"0" * 300_000), "big.pdf")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and '<html lang="es">' in page
    assert "superaba los 0,2 MB en total, por lo que no se pudo guardar nada" in page


def test_a_document_larger_than_its_slot_allows_is_refused_next_to_the_field(app, client):
    w = factories.world()
    client.sign_in("focal@ar.example")
    client.get(f"/portal/calls/{w['call'].id}")
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10)
    response = client.post(f"/portal/calls/{w['call'].id}",
                           {"lock_version": "0", "action": "save", "agenda-general": "Kept",
                            "country_report-developments": (io.BytesIO(big), "big.pdf")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "The file is larger than 10 MB." in page and "Kept" in page


def test_second_focal_point_gets_a_conflict_and_keeps_their_text(app, make_client):
    w = factories.world()
    url = f"/portal/calls/{w['call'].id}"
    first, second = make_client().sign_in("focal@ar.example"), make_client().sign_in("second@ar.example")
    first.get(url)
    second.get(url)  # both opened the answer at lock version 0
    assert first.post(url, {"lock_version": "0", "action": "save", "agenda-general": "Primera"}).status_code == 302
    response = second.post(url, {"lock_version": "0", "action": "save", "agenda-general": "Segunda"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else saved this answer" in page and "Segunda" in page
    sub = factories.submission_of(w["call"], w["ar"])
    assert sub.content["agenda"]["general"] == "Primera"  # nothing silently overwritten
    # Saving again from the conflict page is a deliberate choice and goes through.
    assert second.post(url, {"lock_version": "1", "action": "save", "agenda-general": "Segunda"}).status_code == 302


def test_sign_in_links_are_bound_to_their_purpose(app, client):
    from itsdangerous import URLSafeTimedSerializer

    w = factories.world()
    other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else").dumps(
        {"u": w["ar"].id, "n": w["ar"].login_nonce})
    assert client.get(f"/sign-in/{other_purpose}").status_code == 410
    assert client.get(f"/sign-in/{invitations.token_for(w['ar'])}").status_code == 200


@pytest.mark.parametrize("endpoint", ["/secretariat/queue?call=abc&page=-5&state=<script>",
                                      "/secretariat/submissions/999999?version=abc",
                                      "/portal/calls/999999", "/secretariat/outbox?state=%00"])
def test_odd_urls_never_fail(app, make_client, endpoint):
    factories.world()
    for email in ("officer@sec.example", "focal@ar.example"):
        response = make_client().sign_in(email).get(endpoint)
        assert response.status_code < 500
        assert "<script>" not in response.get_data(as_text=True)
