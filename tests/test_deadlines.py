"""Reminders along a deadline, with time moved by the clock and mail through a real SMTP server.
Delivery runs the worker's code in this process; tests/integration runs it in real workers."""
from __future__ import annotations

from datetime import timedelta

from workflow import clock, deadlines
from workflow.db import db
from workflow.models import AuditEvent, OutboxMessage
from workflow.submissions import save, submit

from . import factories
from .conftest import drain
from .factories import filled


def setup_world():
    w = factories.world()
    mx = factories.mission("MX", "es")
    w["mx"] = factories.user("focal@mx.example", mission=mx)
    w["br"].mission.representative_email = "embajador@br.example"
    mx.representative_email = "embajador@mx.example"
    call = w["call"]
    from workflow.calls import address

    address(call, ["MX"])
    call.created_at = call.deadline - timedelta(days=40)
    db.session.commit()
    return w


def sweep_at(moment):
    with clock.frozen_at(moment):
        result = deadlines.sweep()
        db.session.commit()
        return result


def answer(w, who, moment):
    sub = factories.submission_of(w["call"], w[who].mission)
    with clock.frozen_at(moment):
        save(sub, filled(w["call"]), w[who], lock_version=sub.lock_version)
        submit(sub, w[who])
        db.session.commit()


def test_reminders_follow_the_schedule_once_each(app, smtp):
    w = setup_world()
    call, deadline = w["call"], w["call"].deadline
    hour = timedelta(hours=1)
    day = timedelta(days=1)

    assert sweep_at(deadline - 20 * day).reminders == 0
    first = sweep_at(deadline - 14 * day + hour)
    assert first.reminders == 4  # AR x2 focal points, BR, MX
    assert sweep_at(deadline - 14 * day + hour).reminders == 0  # same moment again: nothing new
    assert sweep_at(deadline - 13 * day).reminders == 0

    answer(w, "ar", deadline - 10 * day)
    second = sweep_at(deadline - 7 * day + hour)  # 2nd reminder: the representative too
    assert second.reminders == 4  # BR focal + BR representative, MX focal + MX representative

    answer(w, "br", deadline - 3 * day)
    assert sweep_at(deadline - 2 * day + hour).reminders == 2  # MX only
    after = sweep_at(deadline + day + hour)
    assert (after.reminders, after.marked_late) == (2, 1)  # MX, now late
    assert sweep_at(deadline + day + hour).reminders == 0

    assert drain() == {"sent": 12 + 3}  # and the receipts: AR's two focal points, BR's one
    c = call.id
    ar, br, mx = (w[k].mission_id for k in ("ar", "br", "mx"))
    reminders = {(key, rcpt) for key, rcpt, _ in smtp.messages if key.startswith("reminder:")}
    assert reminders == {
        (f"reminder:{c}:{ar}:before-14:focal@ar.example", ("focal@ar.example",)),
        (f"reminder:{c}:{ar}:before-14:second@ar.example", ("second@ar.example",)),
        (f"reminder:{c}:{br}:before-14:focal@br.example", ("focal@br.example",)),
        (f"reminder:{c}:{mx}:before-14:focal@mx.example", ("focal@mx.example",)),
        (f"reminder:{c}:{br}:before-7:focal@br.example", ("focal@br.example",)),
        (f"reminder:{c}:{br}:before-7:embajador@br.example", ("embajador@br.example",)),
        (f"reminder:{c}:{mx}:before-7:focal@mx.example", ("focal@mx.example",)),
        (f"reminder:{c}:{mx}:before-7:embajador@mx.example", ("embajador@mx.example",)),
        (f"reminder:{c}:{mx}:before-2:focal@mx.example", ("focal@mx.example",)),
        (f"reminder:{c}:{mx}:before-2:embajador@mx.example", ("embajador@mx.example",)),
        (f"reminder:{c}:{mx}:after-1:focal@mx.example", ("focal@mx.example",)),
        (f"reminder:{c}:{mx}:after-1:embajador@mx.example", ("embajador@mx.example",)),
    }
    assert max(smtp.keys().values()) == 1
    mexico = smtp.to("focal@mx.example")[-1]
    assert "V Meeting of the Group of Governmental Experts on Cyber-Crime" in mexico.get_body(("plain",)).get_content()
    assert "/sign-in/" in mexico.get_body(("html",)).get_content()
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="marked_late")).submission.mission.code == "MX"

    status = deadlines.reminder_status(call, deadline + day + hour)
    by_code = {s.mission.code: status[s.id] for s in call.submissions}
    assert (by_code["MX"]["sent"], by_code["AR"]["sent"], by_code["BR"]["sent"]) == (4, 1, 2)
    assert by_code["MX"]["next"] is None and by_code["AR"]["next"] is None


def reminded(call, mission) -> set[str]:
    return {m.key.split(":")[3] for m in db.session.scalars(db.select(OutboxMessage).filter_by(
        call_id=call.id, mission_id=mission.id, kind="reminder"))}


def test_a_mission_addressed_late_gets_the_reminder_the_others_had(app, smtp):
    w = setup_world()
    call, deadline = w["call"], w["call"].deadline
    assert sweep_at(deadline - timedelta(days=14, hours=-1)).reminders == 4
    from workflow.calls import address

    chile = factories.mission("CL", "es")
    factories.user("focal@cl.example", mission=chile)
    address(call, ["CL"])
    db.session.commit()
    assert sweep_at(deadline - timedelta(days=13)).reminders == 1  # long before the next slot
    assert reminded(call, chile) == {"before-14"}


def test_an_earlier_deadline_brings_the_reminders_forward(app, smtp):
    w = setup_world()
    call, deadline = w["call"], w["call"].deadline
    sweep_at(deadline - timedelta(days=14, hours=-1))
    call.deadline = deadline - timedelta(days=5)  # the meeting moved: answers are wanted sooner
    db.session.commit()
    assert sweep_at(deadline - timedelta(days=12, hours=-1)).reminders > 0  # 7 days before the new one
    assert reminded(call, w["mx"].mission) == {"before-14", "before-7"}


def test_an_answer_given_back_after_the_deadline_is_chased_again(app, smtp):
    w = setup_world()
    call, deadline = w["call"], w["call"].deadline
    answer(w, "mx", deadline - timedelta(days=3))
    assert sweep_at(deadline + timedelta(days=1, hours=1)).reminders == 4  # "1 day after": AR, BR (and its PR)
    assert reminded(call, w["mx"].mission) == set()
    from workflow.submissions import return_to_mission

    with clock.frozen_at(deadline + timedelta(days=2)):
        return_to_mission(factories.submission_of(call, w["mx"].mission), w["officer"], "Add the CV.")
        db.session.commit()
    sweep_at(deadline + timedelta(days=2, hours=1))
    assert reminded(call, w["mx"].mission) == {"after-1"}


def test_extension_moves_one_missions_reminders(app, smtp):
    w = setup_world()
    call, deadline = w["call"], w["call"].deadline
    mx = factories.submission_of(call, w["mx"].mission)
    mx.deadline_override = deadline + timedelta(days=10)
    db.session.commit()

    def mx_slots():
        return {m.key.split(":")[3] for m in db.session.scalars(db.select(OutboxMessage))
                if m.mission_id == mx.mission_id and m.kind == "reminder"}

    sweep_at(deadline - timedelta(days=2, hours=-1))
    assert mx_slots() == {"before-14"}  # its own "14 days before" has come; "2 days before" has not
    sweep_at(deadline + timedelta(days=1, hours=1))
    assert mx_slots() == {"before-14"} and not mx.late  # the call's deadline does not make MX late
    sweep_at(deadline + timedelta(days=8, hours=1))
    assert mx_slots() == {"before-14", "before-2"}  # "7 days before" passed unsent: only the latest
    assert not mx.late
