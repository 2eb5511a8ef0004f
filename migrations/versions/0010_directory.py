"""the directory: membership, missions' addresses, the people of a mission and their roles, the
mission a directory change concerns, and the expert roster

Revision ID: 0010_directory
Revises: 0009_documents
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_directory"
down_revision = "0009_documents"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member_state") as batch:
        batch.add_column(sa.Column("member", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("mission") as batch:
        batch.add_column(sa.Column("postal_address", sa.Text(), nullable=True))
        batch.add_column(sa.Column("mailbox", sa.String(length=254), nullable=True))
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("mission_role", sa.String(length=12), nullable=True))
        batch.create_check_constraint(
            "mission_role_known", "mission_role IS NULL OR mission_role IN ('lead', 'focal_point', 'alternate')")
    # Every focal point already here stays one; the first of each mission leads it.
    op.execute("UPDATE \"user\" SET mission_role = 'focal_point' WHERE role = 'focal_point'")
    op.execute("UPDATE \"user\" SET mission_role = 'lead' WHERE id IN "
               "(SELECT MIN(id) FROM \"user\" WHERE role = 'focal_point' GROUP BY mission_id)")
    # audit_event keeps its append-only triggers: a plain ADD COLUMN (batch mode would copy the
    # table on SQLite and drop them). SQLite cannot add the foreign key to an existing table.
    op.add_column("audit_event", sa.Column("mission_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(op.f("fk_audit_event_mission_id_mission"), "audit_event", "mission",
                              ["mission_id"], ["id"])
    op.create_index(op.f("ix_audit_event_mission_id"), "audit_event", ["mission_id"])
    op.create_table(
        "roster_expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("institution", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=60), nullable=True),
        sa.Column("name_key", sa.String(length=420), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"], name=op.f("fk_roster_expert_mission_id_mission")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_expert")),
    )
    op.create_index("ix_roster_expert_mission_email", "roster_expert", ["mission_id", "email"])
    op.create_index("ix_roster_expert_mission_key", "roster_expert", ["mission_id", "name_key"])
    op.create_table(
        "roster_nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=True),
        sa.Column("funding", sa.String(length=12), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["expert_id"], ["roster_expert.id"],
                                name=op.f("fk_roster_nomination_expert_id_roster_expert")),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"], name=op.f("fk_roster_nomination_call_id_call")),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"],
                                name=op.f("fk_roster_nomination_submission_id_submission")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_nomination")),
        sa.UniqueConstraint("expert_id", "call_id", name="once_per_call"),
    )
    op.create_index(op.f("ix_roster_nomination_expert_id"), "roster_nomination", ["expert_id"])
    op.create_index(op.f("ix_roster_nomination_call_id"), "roster_nomination", ["call_id"])


def downgrade():
    op.drop_table("roster_nomination")
    op.drop_table("roster_expert")
    op.drop_index(op.f("ix_audit_event_mission_id"), table_name="audit_event")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_audit_event_mission_id_mission"), "audit_event", type_="foreignkey")
    op.drop_column("audit_event", "mission_id")
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint("mission_role_known", type_="check")
        batch.drop_column("mission_role")
    with op.batch_alter_table("mission") as batch:
        batch.drop_column("mailbox")
        batch.drop_column("postal_address")
    with op.batch_alter_table("member_state") as batch:
        batch.drop_column("member")
