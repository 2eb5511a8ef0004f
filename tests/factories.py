"""Test data built through the domain's own functions."""
from __future__ import annotations

from pathlib import Path

import yaml

from workflow.calls import blank_content, import_call
from workflow.db import db
from workflow.member_states import ensure
from workflow.models import Submission, User

CALLS = Path(__file__).resolve().parent.parent / "calls"
PASSWORD = "secret-pass"


def user(email, role="focal_point", mission=None, name=None, locale="en"):
    person = User(email=email, name=name or email.split("@")[0], role=role, mission=mission, locale=locale)
    person.set_password(PASSWORD)
    db.session.add(person)
    db.session.flush()
    return person


def mission(code, language="en"):
    found = ensure(code, language)
    db.session.flush()
    return found


def call_from_file(filename="ciber-v-2007.yaml", addressed=None, **changes):
    data = yaml.safe_load((CALLS / filename).read_text(encoding="utf-8"))
    if addressed is not None:
        data["addressed"] = addressed
    data.update(changes)
    call = import_call(yaml.safe_dump(data, allow_unicode=True))
    db.session.flush()
    return call


def submission_of(call, mission_):
    return db.session.scalar(db.select(Submission).filter_by(call_id=call.id, mission_id=mission_.id))


def world():
    """Two missions (Argentina, Brazil) with a focal point each, an officer and the CIBER-V call."""
    ar, br = mission("AR", "es"), mission("BR", "pt")
    people = {
        "ar": user("focal@ar.example", mission=ar), "br": user("focal@br.example", mission=br),
        "ar2": user("second@ar.example", mission=ar),
        "officer": user("officer@sec.example", role="officer"), "admin": user("admin@sec.example", role="admin"),
    }
    call = call_from_file(addressed=["AR", "BR"], deadline="2030-10-29 23:59")
    db.session.commit()
    return {"call": call, "ar": ar, "br": br, **people}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def answer_form(lock_version="0", **extra):
    """A filled-in answer to the CIBER-V call, as the mission's browser posts it."""
    return {
        "lock_version": lock_version,
        "experts-experts-0-name": "María José Núñez",
        "experts-experts-0-title": "Fiscal especializada",
        "experts-experts-0-institution": "Ministerio Público Fiscal",
        "experts-experts-0-email": "mjnunez@mpf.example",
        "experts-experts-0-phone": "+54 11 5555 0000",
        "experts-experts-0-role": "head_of_delegation",
        "experiences-legislation-present": "y",
        "experiences-legislation-description": "Ley 26.388 de delitos informáticos",
        "agenda-general": "De acuerdo con el temario.",
        "action": "save",
        **extra,
    }


EXPERT = {"name": "Ana Souza", "title": "Delegada", "institution": "Polícia Federal",
          "email": "ana@pf.example", "phone": "", "role": "delegate", "funding": "own_cost"}


def filled(call):
    """A complete answer to the CIBER-V call: one expert, everything else left blank."""
    content = blank_content(call)
    content["experts"] = {"experts": [dict(EXPERT)]}
    return content


def submitted(w, who: str):
    """`w[who]`'s mission submits the complete answer (filled) to the world's call: (submission, version)."""
    from workflow.submissions import save, submit

    submission = submission_of(w["call"], w[who].mission)
    save(submission, filled(w["call"]), w[who], lock_version=submission.lock_version)
    version = submit(submission, w[who])
    db.session.commit()
    return submission, version
