"""The password policy for web accounts (NIST SP 800-63B §5.1.1.2 and OWASP's guidance):
long enough, not the user name, not a known common password.

Length counts characters, not bytes, and there are no composition rules (they push people to
"Password1!"). Instead the password is compared, lower-cased, with common_passwords.txt (how it
was made is written at its top) — both as typed and with the digits and symbols around it taken
away, so "sunshine2024!" fails as "sunshine" does.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from tantalio.errors import UserError

MIN_LENGTH = 12
MAX_LENGTH = 1024
LIST_FILE = Path(__file__).resolve().parent / "common_passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


def _core(text: str) -> str:
    """The password without the digits and symbols added before and after it."""
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]


def _mostly_sequential(text: str) -> bool:
    """1234567890123, abcdefghijkl, 987654321098: each character one up or down from the last."""
    steps = [ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)]
    runs = sum(1 for d, (a, b) in zip(steps, zip(text, text[1:], strict=False), strict=True)
               if abs(d) == 1 or (a, b) in (("9", "0"), ("0", "9")))
    return runs >= 0.8 * len(steps)


def check_password(password: str, user: str) -> None:
    """Raise UserError saying what is wrong with `password` for account `user`."""
    text = unicodedata.normalize("NFC", password)
    if len(text) < MIN_LENGTH:
        raise UserError(f"a password has at least {MIN_LENGTH} characters")
    if len(text) > MAX_LENGTH:
        raise UserError(f"a password has at most {MAX_LENGTH} characters")
    folded, name = text.casefold(), user.strip().casefold()
    if name and (folded == name or (len(name) >= 4 and name in folded)):
        raise UserError("a password must not be or contain the user name")
    if len(set(folded)) < 4:
        raise UserError("a password needs more than three different characters")
    if _mostly_sequential(folded):
        raise UserError("a password must not be a counting sequence such as 123456789012 or abcdefghijkl")
    common = common_passwords()
    if folded in common or _core(folded) in common:
        raise UserError("this password is on a list of common passwords; choose another "
                        "(a few unrelated words make a good one)")
