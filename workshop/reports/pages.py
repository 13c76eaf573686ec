"""The report's parts as the facilitator's pages list them, and what every page is given."""
from __future__ import annotations

from flask import current_app, g
from flask_babel import lazy_gettext as _l

from . import bp

#: The report's pages in the order of the work: (endpoint, label).
PAGES = (
    ("report.editor", _l("Text")),
    ("report.rounds", _l("Comment rounds")),
    ("report.answer", _l("Management's answer")),
    ("report.export", _l("Publish and export")),
    ("report.feedback", _l("Reader feedback")),
    ("report.followup", _l("Follow-up")),
)


@bp.app_context_processor
def _report_pages():
    def report_pages() -> list[tuple[str, str]]:
        """The pages that exist, with their labels in the current language."""
        return [(endpoint, str(label)) for endpoint, label in PAGES if endpoint in current_app.view_functions]

    return {"report_pages": report_pages}


@bp.context_processor
def _workshop():
    from ..report_render import picture_reference

    return {"workshop": g.get("workshop"), "picture_code": picture_reference}  # not there on an error page (403 before loading)
