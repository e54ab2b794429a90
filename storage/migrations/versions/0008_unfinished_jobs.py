"""An index of each incident's unfinished jobs, in order: an answer looks at the newest (a follow-up
waiting already does what a new one would) and supersedes waiting ones, and finding them read every job
the incident ever had (issue 9's profile: a tenth of an answer's time once an incident had a thousand
finished jobs).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

WAITING = sa.text("done_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_jobs_unfinished",
        "jobs",
        ["incident_id", "id"],
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_unfinished", table_name="jobs")
