"""Nothing twice in Slack: the posts the bot set out to make (one row per job and part, written before the
Web API call), so a post whose outcome is unknown is looked for in Slack before it is sent again; the
commands handled (by their trigger_id), so one that Slack retries is one command; and one publication per
version and person, whatever the modals submitted.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sends",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("key", name="uq_sends_key"),
    )
    op.create_index("ix_sends_job", "sends", ["job_id"])
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("key", name="uq_requests_key"),
    )
    with op.batch_alter_table("publications") as batch:
        batch.create_unique_constraint("uq_publications_draft_by", ["draft_id", "by"])


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_constraint("uq_publications_draft_by", type_="unique")
    op.drop_table("requests")
    op.drop_index("ix_sends_job", table_name="sends")
    op.drop_table("sends")
