"""One exception tree for the whole library. The CLI maps each class to an exit code."""

from __future__ import annotations

import errno
import sqlite3


class TantalioError(Exception):
    """Base of every error Tantalio raises on purpose."""

    exit_code = 1


class UserError(TantalioError):
    """The request cannot be carried out as asked (missing case, bad option...)."""

    exit_code = 2


class CaseNotFound(UserError):
    """No case store at the given folder."""


class CaseExists(UserError):
    """A case store already exists where a new one was asked for."""


class StoreError(TantalioError):
    """The case store is unusable (corrupt, newer schema than this version knows...)."""


class EvidenceError(TantalioError):
    """Evidence could not be read (missing, unreadable, not a supported container)."""

    exit_code = 3


class UnsafeEntry(EvidenceError):
    """A container entry that would escape its root (zip-slip, absolute path) or is a bomb."""


class ParseError(EvidenceError):
    """A parser could not make sense of a file it had accepted."""


class UnsupportedFormat(UserError):
    """No parser handles the requested format."""


class RegistryError(TantalioError):
    """Parser registration failed (duplicate name, bad plugin)."""


class HashListError(UserError):
    """A hash list could not be imported."""


class IntegrityError(TantalioError):
    """`case verify` or `report verify` found an altered record or file."""

    exit_code = 4


class EnvironmentProblem(TantalioError):
    """The machine refused the work: disk full, permission denied, a read-only case folder.

    Nothing is wrong with the case or the evidence; the interrupted step kept nothing half
    done (each step commits whole units), so fix the cause and run the same command again.
    """

    exit_code = 5


_OS_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "input/output error from the device",
}
# SQLite primary result codes (sqlite3.h): what the machine did, not what the case holds
_SQLITE_CAUSES = {
    13: "the disk is full (SQLite: database or disk is full)",                  # SQLITE_FULL
    8: "the case store is read-only (SQLite: attempt to write a readonly database)",  # SQLITE_READONLY
    14: "the case store cannot be opened (SQLite: unable to open database file)",  # SQLITE_CANTOPEN
    3: "permission denied (SQLite: access permission denied)",                  # SQLITE_PERM
    10: "input/output error (SQLite: disk I/O error; a full disk shows as this too)",  # SQLITE_IOERR
}


def environment_problem(error: BaseException) -> EnvironmentProblem | None:
    """The machine-level cause behind ``error`` (or anything it was raised from), as one line;
    None when ``error`` is not about the machine (a bug keeps its traceback)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _OS_CAUSES:
            where = f" ({current.filename})" if current.filename else ""
            return EnvironmentProblem(f"{_OS_CAUSES[current.errno]}{where}: {current.strerror or current}")
        code = getattr(current, "sqlite_errorcode", None)
        if isinstance(current, sqlite3.Error) and code is not None and code & 0xFF in _SQLITE_CAUSES:
            return EnvironmentProblem(f"{_SQLITE_CAUSES[code & 0xFF]}; detail: {current}")
        current = current.__cause__ or current.__context__
    return None
