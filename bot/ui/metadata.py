"""What travels through Slack and comes back: modal private_metadata and button values.

Each is a small pydantic model, serialised and parsed here only.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError


class StepRef(BaseModel):
    """Which incident and which step a modal or an "Answer" button belongs to."""

    incident_id: int
    step_id: str

    def dump(self) -> str:
        """Returns the compact JSON sent to Slack."""
        return self.model_dump_json()

    @classmethod
    def load(cls, raw: str | None) -> "StepRef | None":
        """Parses what Slack sent back; None when it is not ours."""
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return None


class OwnerRef(BaseModel):
    """Which items of which incident a user picker assigns (sent as the picker's block_id)."""

    incident_id: int
    item_ids: list[str]

    def dump(self) -> str:
        """Returns the compact JSON sent to Slack."""
        return self.model_dump_json()

    @classmethod
    def load(cls, raw: str | None) -> "OwnerRef | None":
        """Parses what Slack sent back; None when it is not ours."""
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return None


class OpenRef(BaseModel):
    """Where /leak-open was typed, so errors can be told there."""

    channel_id: str | None = None

    def dump(self) -> str:
        """Returns the compact JSON sent to Slack."""
        return self.model_dump_json()

    @classmethod
    def load(cls, raw: str | None) -> "OpenRef":
        """Parses what Slack sent back; an empty ref when it is not ours."""
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return cls()
