"""procedure search: a centre's vocabulary of common names, search keys as words

Search now matches query words against the starts of the words of a procedure's
name, code and field, so the stored search key becomes those folded words with
the punctuation dropped (``dat, quyen`` was one word ``dat,``); existing keys
are rewritten. ``procedure_vocabulary`` holds a centre's own additions to the
built-in names people use (``sổ đỏ`` -> Giấy chứng nhận quyền sử dụng đất).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 01:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from queue_server.text import fold_words

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SEARCH_KEY_MAX = 1200


def upgrade() -> None:
    op.create_table(
        "procedure_vocabulary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("phrase_key", sa.String(length=200), nullable=False),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_procedure_vocabulary_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_vocabulary")),
        sa.UniqueConstraint(
            "site_id", "phrase_key", name="uq_procedure_vocabulary_site_phrase"
        ),
    )
    procedures = sa.table(
        "procedures",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("name", sa.String()),
        sa.column("field", sa.String()),
        sa.column("search_key", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(procedures.c.id, procedures.c.name, procedures.c.code, procedures.c.field)
    )
    for row in rows.all():
        key = " ".join(fold_words(f"{row.name} {row.code} {row.field}"))[:SEARCH_KEY_MAX]
        bind.execute(
            procedures.update().where(procedures.c.id == row.id).values(search_key=key)
        )


def downgrade() -> None:
    op.drop_table("procedure_vocabulary")
