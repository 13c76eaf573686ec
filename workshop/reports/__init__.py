"""The co-written report's pages (issue 6): two blueprints.

`bp` is the facilitator's side of one workshop's report, under
`/facilitator/workshops/<id>/report`: the editor, comment rounds, management's link,
export, follow-up and reader feedback. Every route needs a logged-in facilitator; the check
is made once here, so a new route cannot forget it.

`public_bp` holds the pages reached without a login: the published report (`/r/<key>`),
management's answer page and invited readers' page (private links, `/answer/<token>`,
`/read/<token>`). Each checks its own key or token.
"""
from flask import Blueprint, abort, g
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import Workshop

bp = Blueprint("report", __name__, url_prefix="/facilitator/workshops/<int:workshop_id>/report")
public_bp = Blueprint("published", __name__)


@bp.url_value_preprocessor
def _take_workshop_id(endpoint, values):
    g.workshop_id = values.pop("workshop_id")


@bp.before_request
def _require_facilitator():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_facilitator:
        abort(403)
    # Every page here is about one workshop: found once, after the login check (so nobody
    # learns which workshops exist), as `g.workshop`.
    g.workshop = db.get_or_404(Workshop, g.workshop_id)
    return None


@bp.url_defaults
def _keep_workshop(endpoint, values):
    if "workshop_id" not in values and "workshop" in g:
        values["workshop_id"] = g.workshop.id


from . import editor, export, feedback, followup, links, pages, published, rounds  # noqa: E402,F401  (registers the routes)
