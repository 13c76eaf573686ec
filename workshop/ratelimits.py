"""Rate-limit keys and the limits on guessing join codes and passwords.

Everyone in a drop-in centre reaches the laptop through one Wi-Fi, and in a region through
one reverse proxy, so a limit per IP address alone would lock out a whole room; the limits
on guessing are therefore also kept per account name and for the whole server. The IP
address is never stored in the clear: the key is a keyed hash that lives only as long as the
rate-limit window.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, g, request


def network_key() -> str:
    """A short keyed hash of the requesting address, used only as a rate-limit counter key."""
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:16]


def whole_server_key() -> str:
    """One key for every request: a budget shared by the whole server."""
    return "all"


def config_limit(name: str):
    """Return a callable that reads the limit string from the app's config when checked."""
    return lambda: current_app.config[name]


def mark_failed_attempt() -> None:
    """Record that this request was a failed guess (wrong code, wrong password).

    Limits declared with `deduct_when=failed_attempt` count only such requests, so that
    a room full of people joining with the right code never uses up the budget.
    """
    g.failed_attempt = True


def failed_attempt(_response) -> bool:
    """`deduct_when` predicate: did the view mark this request as a failed guess?"""
    return bool(g.get("failed_attempt"))
