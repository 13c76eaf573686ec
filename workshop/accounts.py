"""Staff accounts: creating them and checking passwords. No request or server needed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .database import begin_write
from .extensions import db
from .models import Account, Role
from .problems import Problem

MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 64
# Checking a password against an account that does not exist still costs one hash, so the
# time taken does not tell whether an account name exists.
_DUMMY_HASH = generate_password_hash("not a real password")


def username_key(username: str) -> str:
    """The form a name is compared in: trimmed and case-folded ("Anna" and "anna" are one)."""
    return username.strip().casefold()


def any_account_exists() -> bool:
    """Whether at least one staff account has been created (first-run setup ends then)."""
    return bool(db.session.scalar(select(exists().where(Account.id.is_not(None)))))


def create_account(username: str, password: str, role: Role = Role.FACILITATOR) -> Account:
    """Create and commit a staff account.

    :raise Problem: the name is empty, too long or taken, or the password is too short.
    """
    name = username.strip()
    if not name:
        raise Problem(_l("Give a user name."), field="username")
    if len(name) > MAX_USERNAME_LENGTH:
        raise Problem(_l("The user name is too long."), field="username")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Problem(
            _l("The password must be at least %(count)d characters long.", count=MIN_PASSWORD_LENGTH),
            field="password",
        )
    begin_write()
    if db.session.scalar(select(Account.id).where(Account.username_key == username_key(name))):
        raise Problem(_l("That user name is already in use."), field="username")
    account = Account(
        username=name, username_key=username_key(name), password_hash=generate_password_hash(password), role=role
    )
    db.session.add(account)
    try:
        db.session.commit()
    except IntegrityError:  # created at the same moment by someone else
        db.session.rollback()
        raise Problem(_l("That user name is already in use."), field="username") from None
    return account


def authenticate(username: str, password: str) -> Account | None:
    """Return the active account with this name and password, or None."""
    account = db.session.scalar(select(Account).where(Account.username_key == username_key(username)))
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(account.password_hash, password) or not account.is_active:
        return None
    return account


def accounts_with_role(role: Role) -> list[Account]:
    """The accounts of one role, in the order of their names."""
    return list(db.session.scalars(select(Account).where(Account.role == role).order_by(Account.username_key)))
