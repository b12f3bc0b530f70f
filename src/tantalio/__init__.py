"""Tantalio: forensic analysis of networks run through invite-only messaging groups.

The public API is what ``__all__`` lists (``tests/test_public_api.py`` keeps it honest); the
command line (``tantalio``) is a thin layer over these. Everything but the exception tree is
imported on first use (PEP 562), so ``import tantalio`` — and every ``tantalio`` command's
start — does not pay for the ingest parsers, the export or the store until they are used.
"""

import sys as _sys
import types as _types
import typing as _typing
from importlib import import_module as _import_module

from tantalio.errors import (
    CaseExists,
    CaseNotFound,
    EvidenceError,
    HashListError,
    IntegrityError,
    ParseError,
    RegistryError,
    StoreError,
    TantalioError,
    UnsafeEntry,
    UnsupportedFormat,
    UserError,
)

if _typing.TYPE_CHECKING:
    from tantalio.export import build_case_document, write_case_document
    from tantalio.ingest.pipeline import IngestOptions, IngestReport, ingest
    from tantalio.ingest.registry import ParserRegistry, default_registry
    from tantalio.store import CaseStore
    from tantalio.verify import verify_case

__version__ = "0.1.0"

_LAZY = {
    "build_case_document": "tantalio.export", "write_case_document": "tantalio.export",
    "IngestOptions": "tantalio.ingest.pipeline", "IngestReport": "tantalio.ingest.pipeline",
    "ingest": "tantalio.ingest.pipeline", "ParserRegistry": "tantalio.ingest.registry",
    "default_registry": "tantalio.ingest.registry", "CaseStore": "tantalio.store", "verify_case": "tantalio.verify",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tantalio' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _PublicApi(_types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        # Importing the subpackage tantalio.ingest binds it here under the public function's
        # name; the function must stay what `tantalio.ingest` means, as when it was imported eagerly.
        if name in _LAZY and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _PublicApi


__all__ = [
    "CaseExists", "CaseNotFound", "CaseStore", "EvidenceError", "HashListError", "IngestOptions",
    "IngestReport", "IntegrityError", "ParseError", "ParserRegistry", "RegistryError", "StoreError",
    "TantalioError", "UnsafeEntry", "UnsupportedFormat", "UserError", "__version__", "build_case_document",
    "default_registry", "ingest", "verify_case", "write_case_document",
]
