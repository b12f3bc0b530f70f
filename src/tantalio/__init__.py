"""Tantalio: forensic analysis of networks run through invite-only messaging groups.

The public API is what ``__all__`` lists (``tests/test_public_api.py`` keeps it honest); the
command line (``tantalio``) is a thin layer over these.
"""

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
from tantalio.export import build_case_document, write_case_document
from tantalio.ingest.pipeline import IngestOptions, IngestReport, ingest
from tantalio.ingest.registry import ParserRegistry, default_registry
from tantalio.store import CaseStore
from tantalio.verify import verify_case

__version__ = "0.1.0"

__all__ = [
    "CaseExists", "CaseNotFound", "CaseStore", "EvidenceError", "HashListError", "IngestOptions",
    "IngestReport", "IntegrityError", "ParseError", "ParserRegistry", "RegistryError", "StoreError",
    "TantalioError", "UnsafeEntry", "UnsupportedFormat", "UserError", "__version__", "build_case_document",
    "default_registry", "ingest", "verify_case", "write_case_document",
]
