"""Login, logout and the first-run setup page."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..accounts import any_account_exists, authenticate, create_account
from ..extensions import db, limiter
from ..forms import show_problem
from ..network import is_loopback_host
from ..problems import Problem
from ..ratelimits import config_limit, failed_attempt, mark_failed_attempt
from ..security import safe_next_url
from . import bp
from .forms import AccountForm, LoginForm


def _account_name_key() -> str:
    return "login:" + (request.form.get("username") or "").strip().casefold()


def _start_session(account) -> None:
    # A fresh session at login: nothing planted in the session before it carries over
    # (session fixation), except the language the person chose.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(account)


def _setup_allowed_here() -> bool:
    # The first account can only be made on the laptop itself: someone else on the
    # centre's Wi-Fi must not be able to claim it in the minute after `make run`. Behind a
    # reverse proxy on the same machine every request comes from the loopback address: one
    # that carries X-Forwarded-For came from elsewhere, unless PROXY_COUNT made the app read
    # the real address from it already.
    if request.remote_addr is None or not is_loopback_host(request.remote_addr):
        return False
    return bool(current_app.config["PROXY_COUNT"]) or "X-Forwarded-For" not in request.headers


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(config_limit("LOGIN_FAILURES_PER_ACCOUNT"), key_func=_account_name_key,
               methods=["POST"], deduct_when=failed_attempt)
@limiter.limit(config_limit("LOGIN_FAILURES_PER_NETWORK"), methods=["POST"], deduct_when=failed_attempt)
def login():
    """Log a facilitator in; with no account yet, send them to create the first one."""
    if not any_account_exists():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("facilitator.index"))
    form = LoginForm()
    if form.validate_on_submit():
        account = authenticate(form.username.data, form.password.data)
        if account is not None:
            _start_session(account)
            return redirect(safe_next_url(request.args.get("next"), "facilitator.index"), code=303)
        mark_failed_attempt()
        form.form_errors.append(_("The user name or the password is wrong."))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """First run: create the first facilitator account. Gone for good once one exists.

    :raise 404: an account already exists.
    """
    if any_account_exists():
        abort(404)
    if not _setup_allowed_here():
        return render_template("auth/setup_elsewhere.html"), 403
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account = create_account(form.username.data, form.password.data)
        except Problem as problem:
            show_problem(form, problem)
        else:
            _start_session(account)
            flash(_("Welcome! Your account is ready."))
            current_app.logger.info("First facilitator account created")
            return redirect(url_for("facilitator.index"), code=303)
    status = 422 if form.errors else 200
    return render_template("auth/setup.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out (on every device: the session version moves on) and go back to the login page."""
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    flash(_("You have logged out."))
    return redirect(url_for("auth.login"), code=303)
