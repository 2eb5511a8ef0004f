"""when the deadline sweep next has something to do for each call, indexed with the call's status,
so a sweep with nothing due is one index probe however many calls are open

Revision ID: 0012_next_sweep
Revises: 0011_queue_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_next_sweep"
down_revision = "0011_queue_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("call") as table:
        table.add_column(sa.Column("next_sweep_at", sa.DateTime(), nullable=False,
                                   server_default="2000-01-01 00:00:00"))
    op.create_index("ix_call_status_next_sweep", "call", ["status", "next_sweep_at"])


def downgrade():
    op.drop_index("ix_call_status_next_sweep", table_name="call")
    with op.batch_alter_table("call") as table:
        table.drop_column("next_sweep_at")
