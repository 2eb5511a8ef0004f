"""server-side sessions, single-use links on their own, withdrawn states, sweep problems

Revision ID: 0005_hardening
Revises: 0004_reports
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_hardening"
down_revision = "0004_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_sign_in_session_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_session")),
        sa.UniqueConstraint("digest", name=op.f("uq_sign_in_session_digest")),
    )
    op.create_index(op.f("ix_sign_in_session_user_id"), "sign_in_session", ["user_id"])
    op.create_table(
        "used_sign_in_link",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_used_sign_in_link_user_id_user")),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_used_sign_in_link")),
    )
    op.create_index(op.f("ix_used_sign_in_link_user_id"), "used_sign_in_link", ["user_id"])
    op.create_index(op.f("ix_used_sign_in_link_used_at"), "used_sign_in_link", ["used_at"])
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("call") as batch:
        batch.add_column(sa.Column("sweep_problem", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sweep_problem_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("call") as batch:
        batch.drop_column("sweep_problem_at")
        batch.drop_column("sweep_problem")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("withdrawn_at")
    op.drop_table("used_sign_in_link")
    op.drop_table("sign_in_session")
