"""Reading typed values out of untrusted input (JSON bodies, form fields, socket events).

Each reader either returns a clean value or raises a `Problem` naming the field, with a
message a person can act on. Nothing here trusts the type it was given: JSON may carry a
list where a string belongs, a form sends everything as strings.
"""
from __future__ import annotations

import re
import uuid as uuid_module
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from .problems import Problem


def require_mapping(data) -> Mapping:
    """:raise Problem: the body was not a JSON object (or form)."""
    if not isinstance(data, Mapping):
        raise Problem(_l("Something in the request was not right. Please try again."), status=400)
    return data


def uuid_field(data: Mapping, name: str = "uuid") -> str:
    """A client-made UUID, returned in its canonical lower-case form."""
    value = data.get(name)
    try:
        if not isinstance(value, str) or len(value) > 64:
            raise ValueError
        return str(uuid_module.UUID(value))
    except ValueError:
        raise Problem(_l("The message had no valid identifier. Please reload the page."), field=name,
                      status=422) from None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

#: The largest whole number taken from outside: the largest id (or change number) the
#: database can hold. The columns are INTEGER: 64-bit on SQLite but 32-bit on PostgreSQL,
#: where comparing with a larger number fails in the driver instead of finding nothing.
MAX_INT = 2**31 - 1


def is_id(value) -> bool:
    """Whether `value` could be a row's id. An id from a URL may be any length of digits;
    one past the database's integers must be "not found", not a crash in the driver."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INT


def int_field(data: Mapping, name: str, *, required: bool = True) -> int | None:
    """A whole number; form strings like "12" are accepted, booleans and floats are not."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise Problem(_l("This is missing."), field=name, status=422)
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        value = int(value.strip())
    if not is_id(value):
        raise Problem(_l("This is not a valid choice."), field=name, status=422)
    return value


def text_field(data: Mapping, name: str, max_length: int, *, required: bool,
               empty_message=None, too_long_message=None) -> str:
    """Text stored as typed (newlines kept) but without NULs and surrounding blanks.

    :raise Problem: not a string, empty when required, or longer than `max_length`
        characters (a counter on the page shows the same limit).
    """
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Problem(_l("This must be text."), field=name, status=422)
    # A lone half of a UTF-16 surrogate pair (a phone cut an emoji in two) cannot be
    # stored as UTF-8; like NUL it carries nothing a person typed.
    value = _LONE_SURROGATE.sub("", value.replace("\x00", "")).replace("\r\n", "\n").strip()
    if required and not value:
        raise Problem(empty_message or _l("Write something first."), field=name, status=422)
    if len(value) > max_length:
        raise Problem(too_long_message or _l("This is too long: at most %(limit)s characters.", limit=max_length),
                      field=name, status=422)
    return value


def bool_field(data: Mapping, name: str, default: bool = False) -> bool:
    """A yes/no value: JSON true/false, or a form's "1"/"true"/"on"/"0"/"false"/"off"."""
    value = data.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"1", "true", "on", "yes", "0", "false", "off", "no", ""}:
        return value.lower() in {"1", "true", "on", "yes"}
    raise Problem(_l("This is not a valid choice."), field=name, status=422)


def choice_field(data: Mapping, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
    """One of `choices` (the first is the default when missing and no default is given)."""
    value = data.get(name)
    if value is None or value == "":
        return default if default is not None else choices[0]
    if not isinstance(value, str) or value not in choices:
        raise Problem(_l("This is not a valid choice."), field=name, status=422)
    return value
