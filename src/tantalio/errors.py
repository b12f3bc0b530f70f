"""One exception tree for the whole library. The CLI maps each class to an exit code."""

from __future__ import annotations


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
