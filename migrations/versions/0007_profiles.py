"""profiles: the calls a secretariat member follows in the digest, and the defaults for new staff

Revision ID: 0007_profiles
Revises: 0006_former_sections
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_profiles"
down_revision = "0006_former_sections"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("follows_all", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("followed_calls", sa.JSON(), nullable=True))
    op.create_table(
        "site_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_setting")),
    )


def downgrade():
    op.drop_table("site_setting")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("followed_calls")
        batch.drop_column("follows_all")
