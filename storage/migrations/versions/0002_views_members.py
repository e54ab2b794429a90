"""Views the bot opened and channel members, for access checks that need no Slack call; job payloads
may be emptied once kept long enough.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "views",
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("external_id"),
    )
    op.create_index("ix_views_incident_id", "views", ["incident_id"])
    op.create_table(
        "members",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "user_id"),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("payload", existing_type=sa.JSON(), nullable=True)
        batch.create_index("ix_jobs_incident", ["incident_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_incident")
        batch.alter_column("payload", existing_type=sa.JSON(), nullable=False)
    op.drop_table("members")
    op.drop_index("ix_views_incident_id", table_name="views")
    op.drop_table("views")
