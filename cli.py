"""Operator commands: `flask --app app missiva ...` (and Flask-Migrate's `flask db ...`)."""
from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from tasks import embedded, mailsink
from workflow import accounts, api_tokens, archive, audit, demo, directory_files, invitations, profiles
from workflow.calls import CallDefinitionError, clone, export_call, import_call
from workflow.db import db
from workflow.kinds import ROLES
from workflow.member_states import ensure
from workflow.models import Call, User

group = AppGroup("missiva", help="Operate Missiva: set up, demo data, calls and users.")


def _call(slug: str) -> Call:
    call = db.session.scalar(db.select(Call).filter_by(slug=slug))
    if call is None:
        raise click.ClickException(f"no call with slug {slug}")
    return call


@group.command("setup")
@click.option("--demo/--no-demo", "with_demo", default=False, help="Also load the demo data.")
def setup(with_demo: bool):
    """Bring the database schema up to date (and load the demo)."""
    upgrade()
    if with_demo:
        load_demo.callback()


@group.command("demo")
def load_demo():
    """Load the OAS member states, demo users and the calls shipped in calls/ (idempotent)."""
    calls = demo.load()
    db.session.commit()
    for call in calls:
        click.echo(f"{call.reference}: {len(call.submissions)} missions, deadline {call.deadline:%Y-%m-%d %H:%M} UTC")
    click.echo(f"Sign in at {current_app.config['BASE_URL']}/login with password {demo.DEMO_PASSWORD}:")
    click.echo("  focal point of Argentina: focal.ar@missiva.example (any state: focal.<iso code>@missiva.example)")
    click.echo("  secretariat officer:      officer@missiva.example")


@group.command("import-call")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_call_command(path: Path):
    """Import a call definition (YAML) and open it to its addressed states."""
    try:
        call = import_call(path.read_text(encoding="utf-8"))
    except CallDefinitionError as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"imported {call.slug}: {len(call.submissions)} missions")


@group.command("export-call")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def export_call_command(slug: str, output: Path | None):
    """Write a call's definition as YAML (to stdout, or a file)."""
    text = export_call(_call(slug))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@group.command("clone-call")
@click.argument("slug")
@click.argument("new_slug")
@click.option("--reference", required=True)
@click.option("--days", type=int, default=365, show_default=True, help="Move every date by this.")
def clone_call_command(slug: str, new_slug: str, reference: str, days: int):
    """Clone a call for another year."""
    try:
        new = clone(_call(slug), slug=new_slug, reference=reference, shift=timedelta(days=days))
    except CallDefinitionError as exc:
        raise click.ClickException("; ".join(exc.errors)) from exc
    db.session.commit()
    click.echo(f"cloned {slug} as {new.slug}, deadline {new.deadline:%Y-%m-%d %H:%M} UTC")


@group.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--mission", "state_code", help="ISO code of the member state (focal points).")
@click.option("--password", help="Leave out to sign in by emailed link only.")
@click.option("--locale", type=click.Choice(["en", "es", "fr", "pt"]))
def create_user(email, name, role, state_code, password, locale):
    """Create a secretariat user or a mission focal point."""
    if role == "focal_point" and not state_code:
        raise click.ClickException("a focal point needs --mission (ISO code)")
    if db.session.scalar(db.select(User).filter_by(email=email.lower())):
        raise click.ClickException(f"{email} already exists")
    mission = ensure(state_code) if state_code else None
    user = profiles.apply_defaults(User(email=email.lower(), name=name, role=role, mission=mission, locale=locale))
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {user.email}")


@group.command("set-password")
@click.argument("email")
@click.password_option()
def set_password(email: str, password: str):
    """Give a person a new password; every session and sign-in link of theirs stops working."""
    accounts.set_password(_person(email), password)
    db.session.commit()
    click.echo(f"new password set for {email}; signed out everywhere")


@group.command("deactivate-user")
@click.argument("email")
def deactivate_user(email: str):
    """Stop a person signing in or getting mail; nothing they did is touched."""
    accounts.deactivate(_person(email), None)
    db.session.commit()
    click.echo(f"{email} is deactivated")


def _person(email: str) -> User:
    person = db.session.scalar(db.select(User).filter_by(email=email.strip().lower()))
    if person is None:
        raise click.ClickException(f"no one with the address {email}")
    return person


@group.command("sign-in-link")
@click.argument("email")
def sign_in_link(email: str):
    """Print a single-use sign-in link for a user."""
    user = db.session.scalar(db.select(User).filter_by(email=email.lower()))
    if user is None:
        raise click.ClickException(f"no user {email}")
    click.echo(invitations.link_for(user))


@group.command("backup-call")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def backup_call(slug: str, output: Path):
    """Write a call with all answers, versions, files, audit trail and mail log to one ZIP."""
    output.write_bytes(archive.export(_call(slug)))
    click.echo(f"wrote {output} ({output.stat().st_size} bytes)")


@group.command("restore-call")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_call(path: Path):
    """Import a call archive made by backup-call (the call must not exist here)."""
    try:
        call = archive.restore(path.read_bytes())
    except archive.ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"restored {call.slug}: {len(call.submissions)} missions")


@group.command("create-api-token")
@click.argument("name")
def create_api_token(name: str):
    """Create a read-only API token (printed once; only its hash is kept)."""
    _token, secret = api_tokens.create(name, None)
    db.session.commit()
    click.echo(secret)


directory_group = AppGroup("directory", help="The member states, missions and people, as a CSV or XLSX file.")
group.add_command(directory_group)


@directory_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only say what would change.")
@click.option("--deactivate-missing", is_flag=True, help="Deactivate the people the file does not list.")
def directory_import(path: Path, dry_run: bool, deactivate_missing: bool):
    """Import a directory file (all or nothing: a file with problems changes nothing)."""
    outcome = directory_files.import_file(path.read_bytes(), path.name, None, dry_run=dry_run,
                                          deactivate_missing=deactivate_missing)
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(f"{path.name}: line {problem.line}, column {problem.column}: {problem.message}", err=True)
        click.echo(f"nothing imported: {len(outcome.problems)} problem(s)", err=True)
        sys.exit(1)
    for change in outcome.changes:
        fields = "; ".join(f"{name}: {before or '-'} -> {after}" for name, (before, after) in change.fields.items()
                           if change.action != "add")
        click.echo(f"{change.action} {change.record} {change.key} ({change.label}){': ' + fields if fields else ''}")
    if dry_run:
        db.session.rollback()  # nothing of the preview stays, not even in this session's memory
    else:
        audit.record("directory_imported", None, detail={"changes": len(outcome.changes), "file": path.name})
        db.session.commit()
    verb = "would change" if dry_run else "changed"
    click.echo(f"{len(outcome.changes)} {verb}" if outcome.changes else "nothing to change")


@directory_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def directory_export(path: Path):
    """Write the whole directory to FILE (.csv or .xlsx), in the columns import reads."""
    path.write_bytes(directory_files.export("xlsx" if path.suffix.lower() == ".xlsx" else "csv"))
    click.echo(f"wrote {path}")


@group.command("mail-sink")
def mail_sink():
    """Catch outgoing mail on MAIL_SERVER:MAIL_PORT into MAIL_SINK_FOLDER (development only)."""
    config = current_app.config
    click.echo(f"mail sink on {config['MAIL_SINK_HOST']}:{config['MAIL_PORT']} -> {config['MAIL_SINK_FOLDER']}")
    mailsink.serve(config["MAIL_SINK_HOST"], int(config["MAIL_PORT"]), config["MAIL_SINK_FOLDER"])


@group.command("run")
@click.option("--port", type=int, default=5000, envvar="PORT", show_default=True, help="Web port (or PORT).")
def run_embedded(port: int):
    """Run the embedded default: web (gunicorn), worker with beat, mail sink. Ctrl-C stops all."""
    sys.exit(embedded.run(port, current_app.instance_path))


def init_app(app) -> None:
    app.cli.add_command(group)
