"""Optional items submitted empty (asked, left open): who left which item empty and when, so the next
question moves past them on every replica.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "left_empty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "item_id", name="uq_left_empty_source_item"),
    )
    op.create_index("ix_left_empty_incident_item", "left_empty", ["incident_id", "item_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_left_empty_incident_item", table_name="left_empty")
    op.drop_table("left_empty")
