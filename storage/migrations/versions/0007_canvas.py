"""What the bot keeps in an incident channel besides messages: the channel canvas with the current public
draft, the bookmarks (checklist, latest draft files, the PPC's report page) and the uploaded draft files
they point to, so a retry edits them instead of making them again.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_objects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("slack_id", sa.String(length=64), nullable=True),
        sa.Column("link", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("refused", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "name", name="uq_channel_objects_incident_name"),
    )


def downgrade() -> None:
    op.drop_table("channel_objects")
