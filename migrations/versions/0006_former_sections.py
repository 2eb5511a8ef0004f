"""sections and items an edit took off a call while answers held them, kept for the report

Revision ID: 0006_former_sections
Revises: 0005_hardening
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_former_sections"
down_revision = "0005_hardening"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("call") as batch:
        batch.add_column(sa.Column("former_sections", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("call") as batch:
        batch.drop_column("former_sections")
