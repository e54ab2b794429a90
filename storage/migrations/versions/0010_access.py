"""Access: the new-incident forms the bot opened (a `leak_open` submission needs one, opened for the
same person), and the time of the last membership change applied per member (Slack's order, not the
order of arrival: a retried `member_joined_channel` cannot undo a later `member_left_channel`).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_forms",
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("external_id"),
    )
    op.create_table(
        "member_changes",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("event_us", sa.BigInteger(), nullable=False),
        sa.Column("joined", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("member_changes")
    op.drop_table("open_forms")
