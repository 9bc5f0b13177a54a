"""dossiers: the keyed hash of the applicant's citizen ID number

"Hồ sơ của tôi" at the kiosk finds a visitor's dossiers by the ID card. The
mirror keeps only an HMAC of the number (queue_server.citizen_id), indexed per
site; rows mirrored before stay without one until upstream sends them again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("applicant_id_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_dossiers_applicant", ["site_id", "applicant_id_hash"])


def downgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_index("ix_dossiers_applicant")
        batch.drop_column("applicant_id_hash")
