"""the review queue's index: submissions by state in the order the queue lists them, so the queue
stays quick with ten years of answers

Revision ID: 0011_queue_index
Revises: 0010_directory
"""
from alembic import op

revision = "0011_queue_index"
down_revision = "0010_directory"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_submission_state_submitted", "submission", ["state", "submitted_at", "id"])


def downgrade():
    op.drop_index("ix_submission_state_submitted", table_name="submission")
