"""Four languages: every string in the code and templates is in every catalogue, placeholders
intact; pages, dates and mail come out in the reader's language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from workflow.db import db

from . import factories

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None,
            "lazy_ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\{\s*\w+\s*\}\}")


def source_messages() -> set:
    found = set()
    for folder in ("workflow", "views", "forms", "tasks", "templates"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, METHODS, keywords=KEYWORDS):
            found.add(message)
    for module in ("app.py", "cli.py"):
        for _, message, _, _ in extract_from_file("python", ROOT / module, keywords=KEYWORDS):
            found.add(message)
    return {m if isinstance(m, str) else tuple(m) for m in found if m}


@pytest.mark.parametrize("language", ["es", "fr", "pt"])
def test_every_string_is_translated_with_its_placeholders(language):
    catalog = read_po((ROOT / f"translations/{language}/LC_MESSAGES/messages.po").open("rb"))
    missing, broken = [], []
    for message in sorted(source_messages(), key=str):
        entry = catalog.get(message)
        strings = entry.string if entry else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message)
            continue
        source = message if isinstance(message, str) else message[1]
        target = strings if isinstance(strings, str) else strings[-1]
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
            broken.append((message, strings))
    assert not missing, f"{len(missing)} strings not translated into {language}: {missing[:10]}"
    assert not broken, f"placeholders changed in {language}: {broken[:5]}"


def test_french_punctuation_keeps_to_the_word_before_it():
    """French puts a space before : ; ? ! and inside « »: a non-breaking one, or a narrow phone
    screen starts a line with the colon or the closing quote ("ici" / ": lien")."""
    catalog = read_po((ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb"))
    loose = re.compile(r"[ \t\n][:;?!»]|«[ \t\n]")
    breaking = [m.string for m in catalog if m.id and m.string
                and any(loose.search(s) for s in ((m.string,) if isinstance(m.string, str) else m.string))]
    assert not breaking, f"{len(breaking)} French strings break before punctuation: {breaking[:3]}"


@pytest.mark.parametrize("language, marks", [("en", "“”"), ("es", "«»"), ("fr", "«»"), ("pt", "“”")])
def test_a_quoted_title_carries_the_language_s_own_quotation_marks(language, marks):
    """A call's title quoted in a mail or a receipt: “…” in English and Portuguese, «…» in Spanish
    and French, never the typewriter's straight quotes. (English is the messages themselves.)"""
    path = "translations/messages.pot" if language == "en" else f"translations/{language}/LC_MESSAGES/messages.po"
    catalog = read_po((ROOT / path).open("rb"))
    texts = [m.id if language == "en" else m.string for m in catalog if m.id]
    texts = [t for t in texts if isinstance(t, str)]
    straight = re.compile(r'"\{\{|\}\}"|"%\(')
    typed = [t for t in texts if straight.search(t)]
    assert not typed, f"{len(typed)} {language} strings quote with straight quotes: {typed[:2]}"
    quoted = [t for t in texts if "{{ call_title }}" in t and "\n" in t]
    assert quoted and all(marks[0] in t and marks[1] in t for t in quoted), quoted[:2]


def test_a_label_and_its_colon_are_written_as_the_language_writes_them(app, client):
    w = factories.world()
    client.sign_in("focal@ar.example")
    url = f"/portal/calls/{w['call'].id}"
    written = {}
    for language in ("en", "es", "fr"):
        client.post(f"/language/{language}", {"next": url})
        written[language] = client.get(url).get_data(as_text=True)
    assert "Deadline:</strong>" in written["en"] and "Plazo:</strong>" in written["es"]
    assert "Échéance\u00a0:</strong>" in written["fr"]  # never a line starting with the colon
    with app.test_request_context():  # what a person typed is escaped once on pages, not at all in text mail
        assert app.jinja_env.from_string("{{ x | colon }} {{ y | colon }}").render(x="R&D <b>", y="Plazo") == \
            "R&amp;D &lt;b&gt;: Plazo:"
        text = app.jinja_env.overlay(autoescape=False).from_string("{{ x | colon }}")
        assert text.render(x="R&D <b>") == "R&D <b>:"


def test_pages_follow_the_mission_language_and_the_switch(app, client):
    w = factories.world()
    w["ar"].locale = None  # Argentina's mission writes in Spanish
    db.session.commit()
    client.sign_in("focal@ar.example")
    page = client.get("/portal/").get_data(as_text=True)
    assert '<html lang="es">' in page and "Convocatorias dirigidas a Argentina" in page
    assert "Plazo" in page and "de octubre de 2030" in page  # the date in Spanish
    client.post("/language/fr", {"next": "/portal/"})
    page = client.get(f"/portal/calls/{w['call'].id}").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Enregistrer le brouillon" in page
    assert "Ve Réunion du Groupe d&#39;experts gouvernementaux" in page  # the call's own French title
    assert "Rédaction ou adoption d&#39;une législation" in page  # and its section labels
    db.session.refresh(w["ar"])
    assert w["ar"].locale == "fr"  # remembered for next time


def test_validation_messages_are_translated(app, client):
    w = factories.world()
    w["ar"].locale = "pt"
    db.session.commit()
    client.sign_in("focal@ar.example")
    url = f"/portal/calls/{w['call'].id}"
    client.get(url)
    page = client.post(url, {"lock_version": "0", "action": "submit", "experts-experts-0-name": "Ana",
                             "experts-experts-0-email": "errado"}).get_data(as_text=True)
    assert "Isto não parece um endereço de e-mail." in page
    assert "Indique a instituição do perito." in page
    assert 'value="errado"' in page


def test_mail_goes_out_in_the_recipients_language(app, smtp):
    from workflow import notifications

    from .conftest import drain

    w = factories.world()
    w["ar"].locale, w["br"].locale = "es", "pt"
    db.session.commit()
    notifications.invite(w["call"])
    db.session.commit()
    drain()
    spanish = smtp.to("focal@ar.example")[0].get_body(("plain",)).get_content()
    portuguese = smtp.to("focal@br.example")[0].get_body(("plain",)).get_content()
    assert "La Secretaría invita a la Misión Permanente de la Argentina" in spanish
    assert "V Reunión del Grupo de Expertos Gubernamentales" in spanish and "de octubre de 2030" in spanish
    assert "A Secretaria convida" in portuguese and "de outubro de 2030" in portuguese


@pytest.mark.parametrize("language, subject", [
    ("en", "Answer received: CIBER-V/doc.1/07 · BR · 1"), ("es", "Respuesta recibida: CIBER-V/doc.1/07 · BR · 1"),
    ("fr", "Réponse reçue\u00a0: CIBER-V/doc.1/07 · BR · 1"), ("pt", "Resposta recebida: CIBER-V/doc.1/07 · BR · 1")])
def test_the_receipt_s_subject_gives_its_number_once_in_each_language(app, smtp, language, subject):
    """The receipt number begins with the call's reference: the subject does not repeat it."""
    from .conftest import drain

    w = factories.world()
    w["br"].locale = language
    factories.submitted(w, "br")
    drain()
    assert [m["Subject"] for m in smtp.to("focal@br.example")] == [subject]
