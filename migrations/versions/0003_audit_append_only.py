"""audit trail is append-only: the database refuses UPDATE and DELETE on audit_event

Revision ID: 0003_audit_append_only
Revises: 0002_outbox
Create Date: 2026-11-23
"""
from alembic import op

revision = "0003_audit_append_only"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit events are append-only';
            END $$;
        """)
        op.execute("""
            CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
        """)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
                BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
            """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_event_no_{verb}")
