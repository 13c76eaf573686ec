"""Professionals' social reporting (issue 7): four blueprints, one per kind of user.

- `public_bp` ("observe"): the reporting form and the tracking page, reached without a
  login through the organisation's intranet link (`/observe/<form_key>`, `/observe/track`).
  The form's key is checked by the pages themselves.
- `bp` ("handling", `/handling`): the inbox and processing of supervisors and directors.
- `summary_bp` ("summary", `/summary`): the working group's tags, themes, summary and the
  regional development-target tracker.
- `org_bp` ("org", `/org`): the admin's organisation settings and accounts.

Each staff blueprint checks the role once, before every request, so a new route cannot
forget it; the rules modules (`org.py`, `observations.py`, `processing.py`,
`summaries.py`) check again what the account may see of each report.
"""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from ..extensions import login_manager
from ..models import Account, Role

public_bp = Blueprint("observe", __name__, url_prefix="/observe")
bp = Blueprint("handling", __name__, url_prefix="/handling")
summary_bp = Blueprint("summary", __name__, url_prefix="/summary")
org_bp = Blueprint("org", __name__, url_prefix="/org")

#: Who may use each staff blueprint.
HANDLING_ROLES = frozenset({Role.HANDLER, Role.DIRECTOR})
SUMMARY_ROLES = frozenset({Role.WORKING_GROUP, Role.DIRECTOR})
ORG_ROLES = frozenset({Role.ADMIN})

#: Where each role lands after logging in (the facilitator's home sends them on).
HOME_ENDPOINTS = {
    Role.FACILITATOR: "facilitator.index",
    Role.WORKER: "street.index",
    Role.HANDLER: "handling.inbox",
    Role.DIRECTOR: "handling.inbox",
    Role.WORKING_GROUP: "summary.index",
    Role.ADMIN: "org.index",
}


def home_endpoint(account: Account) -> str:
    """The page an account starts from: its role's own home."""
    return HOME_ENDPOINTS[account.role]


@public_bp.app_context_processor
def _home():
    # The staff layout's "home" link and navigation (templates/observe/_layout.html).
    return {"home_endpoint": home_endpoint}


def _requiring(roles: frozenset):
    def check():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None
    return check


bp.before_request(_requiring(HANDLING_ROLES))
summary_bp.before_request(_requiring(SUMMARY_ROLES))
org_bp.before_request(_requiring(ORG_ROLES))


from . import admin, form, inbox, summary, tagging  # noqa: E402,F401  (registers the routes)
