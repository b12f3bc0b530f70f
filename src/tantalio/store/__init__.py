"""The case store: the single source of truth of a case."""

from tantalio.store.sqlite import CaseStore, iso, utcnow

__all__ = ["CaseStore", "iso", "utcnow"]
