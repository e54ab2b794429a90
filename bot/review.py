"""Review as plain rules: who still has to decide on a version, and when a version may be published.

A decision belongs to one version (a draft id), so a new version starts with no approvals at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from storage.records import Decision, Draft

HOWS = ("web", "press", "email", "letter", "other")  # how a version went out
# The checklist item a publication of a document fills, so the PPC report states it without retyping.
FILLS = {"public": "publication", "notice": "notification"}
MAX_COMMENT = 3000
MAX_URL = 1000


@dataclass(frozen=True)
class VersionReview:
    """Where the review of one version stands, against the document's current reviewers."""

    draft: Draft
    reviewers: tuple[str, ...]
    approved: tuple[str, ...]  # reviewers who approved, in the order they did
    changes: tuple[str, ...]  # reviewers who asked for changes

    @property
    def waiting(self) -> tuple[str, ...]:
        """Reviewers who have not decided yet."""
        decided = set(self.approved) | set(self.changes)
        return tuple(r for r in self.reviewers if r not in decided)

    @property
    def fully_approved(self) -> bool:
        """True when the document has reviewers and every one of them approved this version."""
        return bool(self.reviewers) and set(self.reviewers) <= set(self.approved)


def review_of(draft: Draft, reviewers: Sequence[str], decisions: Iterable[Decision]) -> VersionReview:
    """The review of one version: decisions of the current reviewers on it (anyone removed no longer counts)."""
    mine = [d for d in decisions if d.draft_id == draft.id and d.reviewer in reviewers]
    return VersionReview(
        draft,
        tuple(reviewers),
        tuple(d.reviewer for d in mine if d.approved),
        tuple(d.reviewer for d in mine if not d.approved),
    )


def latest_versions(drafts: Iterable[Draft]) -> dict[str, Draft]:
    """The newest version of each document."""
    latest: dict[str, Draft] = {}
    for draft in drafts:
        if draft.doc not in latest or draft.version > latest[draft.doc].version:
            latest[draft.doc] = draft
    return latest


def reviews(
    drafts: Iterable[Draft], reviewers: Mapping[str, Sequence[str]], decisions: Sequence[Decision]
) -> dict[str, VersionReview]:
    """The review of the newest version of every document that has reviewers."""
    return {
        doc: review_of(draft, reviewers[doc], decisions)
        for doc, draft in latest_versions(drafts).items()
        if reviewers.get(doc)
    }


def valid_url(url: str) -> bool:
    """True for an http(s) URL with a host, no spaces, and not too long."""
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        return False
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            host = url[len(scheme) :].split("/", 1)[0]
            return "." in host or host.startswith("localhost")
    return False
