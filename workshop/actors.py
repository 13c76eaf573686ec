"""Who is acting: an anonymous participant of a workshop, or a logged-in staff member.

The rules take an `Actor` and decide from it alone; views and socket handlers only work
out who the actor is (from the device cookie or the login) and pass it on.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .models import Account, Participant
from .problems import Problem


@dataclass(frozen=True)
class Actor:
    """The one doing something. Exactly one of `participant` and `account` is set."""

    participant: Participant | None = None
    account: Account | None = None

    @property
    def is_staff(self) -> bool:
        """Staff (facilitators) may moderate, manage boards and votes, and type in paper notes.

        Other accounts (an outreach worker) are not staff of any workshop.
        """
        return self.account is not None and self.account.is_facilitator

    def require_staff(self) -> None:
        """:raise Problem: (403) a participant tried something only staff may do."""
        if not self.is_staff:
            raise Problem(_l("Only the facilitator can do this."), status=403)

    def author_ids(self) -> dict[str, int | None]:
        """The author columns of something this actor makes: `participant_id`, `account_id`."""
        return {"participant_id": self.participant.id if self.participant else None,
                "account_id": self.account.id if self.account else None}

    def owns(self, participant_id: int | None, account_id: int | None = None) -> bool:
        """Whether the thing with these author ids is this actor's own."""
        if self.participant is not None:
            return participant_id == self.participant.id
        return self.account is not None and account_id == self.account.id
