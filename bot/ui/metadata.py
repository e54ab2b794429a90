"""What travels through Slack and comes back: modal private_metadata, button values, block ids.

Each is a small pydantic model, serialised and parsed here only.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

R = TypeVar("R", bound="Ref")


class Ref(BaseModel):
    """A reference the bot sends to Slack and reads back. A modal's also says the language it was built in
    (`lang`), so that its error messages are in that language on whichever replica gets the submission."""

    lang: str | None = None

    def dump(self) -> str:
        """Returns the compact JSON sent to Slack (without `lang` when there is none: button values)."""
        return self.model_dump_json(exclude={"lang"} if self.lang is None else None)

    @classmethod
    def load(cls: type[R], raw: str | None) -> R | None:
        """Parses what Slack sent back; None when it is not ours."""
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return None


class StepRef(Ref):
    """Which incident and which step a modal or an "Answer" button belongs to; a modal's also says the
    newest revision of the step's items it was filled from (`basis`), so a later change is not overwritten."""

    incident_id: int
    step_id: str
    basis: int | None = None

    def dump(self) -> str:
        """Returns the compact JSON sent to Slack (without a basis when there is none: buttons)."""
        exclude = {"basis"} if self.basis is None else set()
        return self.model_dump_json(exclude=exclude | ({"lang"} if self.lang is None else set()))


class OwnerRef(Ref):
    """Which items of which incident a user picker assigns (sent as the picker's block_id)."""

    incident_id: int
    item_ids: list[str]


class IncidentRef(Ref):
    """Which incident a button outside its channel (the App Home) is about; access is checked on click."""

    incident_id: int


class PageRef(Ref):
    """Which page of the App Home a paging button shows."""

    page: int


class FormRef(Ref):
    """The metadata of a modal about no incident yet (the new-incident form): only its language."""


def lang_of_modal(private_metadata: str | None) -> str | None:
    """The language a modal the bot built says it is in; None when it says none (or is not ours)."""
    ref = FormRef.load(private_metadata)
    return ref.lang if ref is not None and ref.lang in ("ja", "en") else None
