"""The review rules without Slack or SQL: who is still waited for, when a version is fully approved,
which URLs a publication may name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.review import latest_versions, review_of, reviews, valid_url
from storage.records import Decision, Draft

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def draft(draft_id: int, doc: str = "public", version: int = 1) -> Draft:
    return Draft(draft_id, 1, doc, version, "本文", AT, None)


def decision(draft_id: int, reviewer: str, approved: bool = True) -> Decision:
    return Decision(draft_id * 100 + len(reviewer), draft_id, reviewer, approved, None if approved else "直して", AT)


def test_a_version_is_fully_approved_only_when_every_current_reviewer_approved_it() -> None:
    v1 = draft(1)
    assert not review_of(v1, (), []).fully_approved  # nobody to approve is not an approval
    review = review_of(v1, ("A", "B"), [decision(1, "A")])
    assert (review.approved, review.waiting, review.fully_approved) == (("A",), ("B",), False)
    assert review_of(v1, ("A", "B"), [decision(1, "A"), decision(1, "B")]).fully_approved
    changes = review_of(v1, ("A", "B"), [decision(1, "A"), decision(1, "B", approved=False)])
    assert (changes.changes, changes.waiting, changes.fully_approved) == (("B",), (), False)
    # a removed reviewer's decision no longer counts; an added one is waited for
    assert review_of(v1, ("B", "C"), [decision(1, "A"), decision(1, "B")]).waiting == ("C",)


def test_approvals_belong_to_one_version() -> None:
    v1, v2 = draft(1), draft(2, version=2)
    decisions = [decision(1, "A"), decision(1, "B")]
    assert review_of(v1, ("A", "B"), decisions).fully_approved
    assert review_of(v2, ("A", "B"), decisions).waiting == ("A", "B")
    assert latest_versions([v1, v2, draft(3, "ppc")]) == {"public": v2, "ppc": draft(3, "ppc")}
    assert set(reviews([v1, v2, draft(3, "ppc")], {"public": ("A",), "ppc": ()}, decisions)) == {"public"}


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.com/news/2026-11-29", True),
        ("http://example.co.jp", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("javascript:alert(1)", False),
        ("ftp://example.com/x", False),
        ("https://", False),
        ("example.com", False),
        ("https://exa mple.com", False),
        ("https://example.com/" + "a" * 1000, False),
        ("https://intranet/x", False),
    ],
)
def test_a_publication_url_must_be_http_or_https_with_a_host(url: str, ok: bool) -> None:
    assert valid_url(url) is ok
