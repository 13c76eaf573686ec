"""Join codes: short enough to type from a projector, random enough not to be guessed.

The alphabet keeps at most one character of each group that looks alike on a projector,
in handwriting or in a poor font: none of 0/O/Q/D, 1/I/L (7 stays), 2/Z, 5/S, 8/B; 6 but
not G; U and Y but not V. Typed input is forgiving: lower case, spaces and dashes are
accepted, so "k7m 4px" finds K7M4PX.
"""
from __future__ import annotations

import math
import secrets

ALPHABET = "ACEFHJKMNPRTUWXY34679"


def generate(length: int = 6) -> str:
    """Return a new random code of `length` characters from `ALPHABET` (CSPRNG)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str:
    """Turn what a person typed into the canonical form: upper case, no spaces or dashes."""
    return "".join(ch for ch in typed.upper() if not ch.isspace() and ch not in "-–—_.")


def is_well_formed(code: str, length: int = 6) -> bool:
    """Whether a normalised code could have been generated (right length and alphabet)."""
    return len(code) == length and all(ch in ALPHABET for ch in code)


def display(code: str) -> str:
    """The code as shown on the projector: two groups of three are easier to read out."""
    middle = len(code) // 2
    return f"{code[:middle]} {code[middle:]}"


def keyspace(length: int = 6) -> int:
    """How many different codes there are."""
    return len(ALPHABET) ** length


def bits(length: int = 6) -> float:
    """The entropy of a code in bits."""
    return math.log2(keyspace(length))
