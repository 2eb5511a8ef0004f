"""internal notes of the secretariat on a submission

Revision ID: 0008_notes
Revises: 0007_profiles
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_notes"
down_revision = "0007_profiles"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submission_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], name=op.f("fk_submission_note_submission_id_submission")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_submission_note_author_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_note")),
    )
    op.create_index(op.f("ix_submission_note_submission_id"), "submission_note", ["submission_id"])


def downgrade():
    op.drop_index(op.f("ix_submission_note_submission_id"), table_name="submission_note")
    op.drop_table("submission_note")
