"""One way to show time: labelled with its zone in words, in the call's zone with the reader's own
beside it where it differs, on pages, in mail and in documents."""
from __future__ import annotations

import re
from datetime import datetime

from workflow import clock, notifications
from workflow.db import db

from . import factories
from .conftest import drain

OFFSET_OR_SECONDS = re.compile(r"\d:\d{2}:\d{2}|[+-]\d{2}:?\d{2}\s*\(|GMT[+-]|America/|Europe/")


def flat(text: str) -> str:
    """CLDR writes narrow no-break spaces ("11:59\u202fPM"); a reader sees spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_a_moment_names_its_zone_in_words_and_the_readers_own_time(app):
    moment = datetime(2030, 10, 30, 3, 59)  # 23:59 in New York, 04:59 in Paris
    assert flat(clock.shown(moment, "America/New_York", "en")) == "October 29, 2030, 11:59 PM (New York time)"
    assert flat(clock.shown(moment, "America/New_York", "es", reader_zone="Europe/Paris")) == (
        "29 de octubre de 2030, 23:59 (hora de Nueva York; 30 oct 2030, 4:59 hora de París)")
    assert flat(clock.shown(moment, "America/New_York", "fr", reader_zone="America/Port_of_Spain")) == (
        "29 octobre 2030, 23:59 (heure de New York)")  # same offset that day: said once
    assert flat(clock.shown(moment, "UTC", "pt", short=True)) == "30/10/2030, 03:59 (UTC)"


def test_pages_and_mail_label_every_time_with_its_zone(app, smtp, make_client):
    w = factories.world()
    call = w["call"]
    w["br"].timezone, w["br"].locale = "Europe/Paris", "pt"  # the reader lives elsewhere than the call
    db.session.commit()

    officer = make_client().sign_in("officer@sec.example")
    calls = flat(officer.get("/secretariat/").get_data(as_text=True))
    assert "11:59 PM (New York time)" in calls

    mission = make_client().sign_in("focal@br.example")
    portal = flat(mission.get("/portal/").get_data(as_text=True))
    assert "23:59 (horário de Nova York; 30 de out. de 2030, 04:59 horário de Paris)" in portal

    notifications.invite(call, missions=[w["br"].mission])
    db.session.commit()
    drain()
    body = flat(smtp.to("focal@br.example")[-1].get_body(("plain",)).get_content())
    assert "29 de outubro de 2030, 23:59 (horário de Nova York; 30 de out. de 2030, 04:59 horário de Paris)" in body
    for text in (calls, portal, body):
        assert not OFFSET_OR_SECONDS.search(re.sub(r"<[^>]+>", " ", text).replace("/portal", "")), text
