"""The domain's own exception: a rule was broken, with the field and a message for people."""
from __future__ import annotations


class Problem(Exception):
    """A rule refused an action. `message` is shown to the user in their language.

    `field` names the input at fault (None when the whole action is refused), so a form
    can show the message beside the field and the API can list it in `errors`.
    """

    def __init__(self, message, field: str | None = None, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status
