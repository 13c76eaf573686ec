"""The published report's public page: `/r/<key>`, for anyone, without a login.

The key is the unguessable part of the address (`report_export.publish`). An unknown key and
a report that is not published (any more) answer the same friendly 404 page, so the address
of a report taken down tells nothing. The pictures are served by the same key, and only
those the report shows: never a hidden picture, never another workshop's.
"""
from __future__ import annotations

from flask import abort, g

from .. import images, report_export
from . import public_bp


@public_bp.get("/r/<key>")
def report(key: str):
    """The published report, with readers' approved feedback and the feedback form below it."""
    published = report_export.published_report(key)
    if published is None:
        abort(404)
    # Readers see the page in the workshop's language unless they chose another (i18n).
    g.workshop_language = published.workshop.language
    response = report_export.document_html(published, target="page")
    return response, 200, {"Cache-Control": "no-cache"}


@public_bp.get("/r/<key>/pictures/<name>")
def picture(key: str, name: str):
    """A picture the published report shows, by its stored name."""
    published = report_export.published_report(key)
    path = report_export.public_picture_path(published, name) if published is not None else None
    # A picture hidden after publishing must disappear: caches ask again before reusing it.
    return images.send_picture(path, "no-cache")
