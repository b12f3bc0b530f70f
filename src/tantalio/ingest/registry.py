"""Which parsers exist: an explicit built-in list plus the ``tantalio.parsers`` entry-point
group for third parties. Duplicate names are refused; a plugin that fails to load is
recorded, not fatal."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib.metadata import entry_points

from tantalio.errors import RegistryError, UnsupportedFormat
from tantalio.ingest.base import Parser

ENTRY_POINT_GROUP = "tantalio.parsers"

# Order matters: the first parser that detects a file parses it. Databases before exports.
BUILTIN: tuple[str, ...] = (
    "tantalio.ingest.parsers.whatsapp_android:WhatsAppAndroidParser",
    "tantalio.ingest.parsers.whatsapp_ios:WhatsAppIOSParser",
    "tantalio.ingest.parsers.telegram_json:TelegramJsonParser",
    "tantalio.ingest.parsers.whatsapp_txt:WhatsAppTxtParser",
    "tantalio.ingest.parsers.whatsapp_android_prefs:WhatsAppAndroidPrefsParser",
    "tantalio.ingest.parsers.whatsapp_ios_prefs:WhatsAppIOSPrefsParser",
)


class ParserRegistry:
    def __init__(self) -> None:
        self._parsers: dict[str, Parser] = {}
        self.load_errors: list[str] = []

    def register(self, parser: Parser) -> None:
        name = getattr(parser, "NAME", None)
        if not name or not isinstance(name, str):
            raise RegistryError(f"{parser!r} has no NAME")
        if name in self._parsers:
            raise RegistryError(f"a parser named {name!r} is already registered")
        if not isinstance(parser, Parser):
            raise RegistryError(f"{name}: does not implement detect()/parse()")
        self._parsers[name] = parser

    def load(self, specs: Iterable[str]) -> None:
        for spec in specs:
            module, _, attr = spec.partition(":")
            try:
                cls = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as e:
                self.load_errors.append(f"{spec}: {e}")
                continue
            self.register(cls())

    def load_entry_points(self) -> None:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                cls = ep.load()
            except Exception as e:  # a broken plugin must not stop an ingest
                self.load_errors.append(f"entry point {ep.name}: {e}")
                continue
            self.register(cls())

    def get(self, name: str) -> Parser:
        try:
            return self._parsers[name]
        except KeyError:
            known = ", ".join(sorted(self._parsers)) or "none"
            raise UnsupportedFormat(f"no parser named {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        return list(self._parsers)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._parsers.values())


def default_registry() -> ParserRegistry:
    registry = ParserRegistry()
    registry.load(BUILTIN)
    registry.load_entry_points()
    return registry
