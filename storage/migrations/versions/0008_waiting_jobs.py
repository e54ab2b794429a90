"""An index of the jobs still waiting, per incident and kind: an answer supersedes the follow-up waiting
for its incident, and finding it read every job the incident ever had (issue 9's profile: a tenth of an
answer's time once an incident had a thousand finished jobs).

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
        "ix_jobs_waiting",
        "jobs",
        ["incident_id", "kind", "id"],
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_waiting", table_name="jobs")
