"""Reviewer nudges: per version and reviewer, when the next reminder by DM is due (None: none) and how
many went, so a sweep claims each one once (a conditional update) whatever the number of replicas.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("nudges_sent", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", "reviewer", name="uq_review_nudges_draft_reviewer"),
    )
    op.create_index("ix_review_nudges_due_at", "review_nudges", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_review_nudges_due_at", table_name="review_nudges")
    op.drop_table("review_nudges")
