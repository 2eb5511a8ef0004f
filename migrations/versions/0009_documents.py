"""official documents: how each language says "of" a member state, the report's own symbol and
language, and when and how an answer entered by the secretariat was received

Revision ID: 0009_documents
Revises: 0008_notes
"""
import sqlalchemy as sa
from alembic import op

from workflow.state_names import FORMAL

revision = "0009_documents"
down_revision = "0008_notes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member_state") as batch:
        batch.add_column(sa.Column("of_names", sa.JSON(), nullable=True))
    with op.batch_alter_table("call") as batch:
        batch.add_column(sa.Column("report_symbol", sa.String(length=120), nullable=True))
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))
    with op.batch_alter_table("submission_version") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("original_document_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_submission_version_original_document_id_document"), "document",
                                 ["original_document_id"], ["id"])
    # The member states already stored take the formal names and "of" phrases of correspondence.
    states = sa.table("member_state", sa.column("code", sa.String), sa.column("names", sa.JSON),
                      sa.column("of_names", sa.JSON))
    connection = op.get_bind()
    for code, names in connection.execute(sa.select(states.c.code, states.c.names)).all():
        formal = FORMAL.get(code)
        if formal:
            connection.execute(states.update().where(states.c.code == code).values(
                names={**(names or {}), **{lang: name for lang, (name, _of) in formal.items()}},
                of_names={lang: phrase for lang, (_name, phrase) in formal.items()}))


def downgrade():
    with op.batch_alter_table("submission_version") as batch:
        batch.drop_constraint(op.f("fk_submission_version_original_document_id_document"), type_="foreignkey")
        batch.drop_column("original_document_id")
        batch.drop_column("received_at")
    with op.batch_alter_table("report") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("call") as batch:
        batch.drop_column("report_symbol")
    with op.batch_alter_table("member_state") as batch:
        batch.drop_column("of_names")
