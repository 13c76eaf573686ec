"""The facilitator's side: workshops, their join codes, the projector page and the poster.

Every route here needs a logged-in facilitator; the check is made once for the whole
blueprint, so a new route cannot forget it.
"""
from flask import Blueprint
from flask_login import current_user

from ..extensions import login_manager

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")


@bp.before_request
def _require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


from . import views  # noqa: E402,F401  (registers the routes on bp)
