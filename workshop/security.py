"""HTTP security headers and safe redirects."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

#: No inline script and no inline style anywhere: everything comes from our own origin.
#: Images may be data: or blob: URLs (drawings on the canvas in a later issue); the socket
#: connects back to this same host.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        # The service worker (/sw.js) and the web app manifest: said explicitly rather
        # than left to the fallbacks (script-src, default-src), so a later change to
        # those cannot switch off the offline app by accident.
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A join URL carries the workshop's code: never send it to another site.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), payment=(), usb=()",
}


def safe_next_url(candidate: str | None, default_endpoint: str = "participant.front") -> str:
    """Return `candidate` if it is a path on this site, else the URL of `default_endpoint`.

    Only a relative path is accepted: "//evil.example" and "https://…" are refused so a
    crafted link cannot send someone elsewhere after they log in or switch language.
    """
    if candidate and candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate:
        parts = urlsplit(candidate)
        if not parts.scheme and not parts.netloc:
            return candidate
    return url_for(default_endpoint)


def with_security_headers(wsgi_app):
    """WSGI middleware adding the security headers to every response that lacks them.

    A middleware rather than Flask's `after_request`, so that what Flask does not answer
    itself (the Socket.IO transport, which Flask-SocketIO serves in front of Flask) carries
    them too. A view that sets one of them (a stricter Referrer-Policy) keeps its own.
    """

    def middleware(environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = list(headers) + [(name, value) for name, value in SECURITY_HEADERS.items()
                                       if name.lower() not in present]
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return middleware
