"""The API of the workshop's course: gatherings (the phase itself is a workshop setting,
PATCH /api/w/<code>; see views.update_workshop)."""
from __future__ import annotations

from .. import gatherings
from ..gatherings import gathering_state
from ..changes import STAFF
from . import bp
from .common import body, context, ok


@bp.post("/gatherings")
def add_gathering(code: str):
    """Staff: a gathering starts (`title`, `place`, `held_on`); it becomes the current one."""
    workshop, actor = context(code)
    gathering = gatherings.create(workshop, actor, body())
    return ok(201, gathering=gathering_state(gathering, STAFF, workshop.current_gathering_id))


@bp.patch("/gatherings/<int:gathering_id>")
def update_gathering(code: str, gathering_id: int):
    """Staff: rename, date, log (what was done, how many took part) or make current."""
    workshop, actor = context(code)
    gathering = gatherings.update(workshop, actor, gathering_id, body())
    return ok(gathering=gathering_state(gathering, STAFF, workshop.current_gathering_id))
