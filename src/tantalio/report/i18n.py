"""Reports in the receiving country's language, through a gettext message catalogue (Babel).

Headings, role names, the glossary and every explanation are translated; evidence (names, message
text, file paths, group names) is quoted as recorded. Catalogues live in
``tantalio/report/locale/<lang>/LC_MESSAGES/tantalio.po``; the compiled ``.mo`` files beside them
are shipped in the package (so a plain ``pip install`` works without a build step) and are made
by this module's ``compile`` command, which a test re-runs to check they match the ``.po``::

    python -m tantalio.report.i18n extract    # refresh every .po from the templates and code
    python -m tantalio.report.i18n compile    # write the .mo files

``en`` is the source language (no catalogue). The language of a package follows the country
(:func:`language_for`); ``--lang`` overrides it.
"""

from __future__ import annotations

import gettext
import io
import sys
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "es", "pt", "de", "it", "fr")
DOMAIN = "tantalio"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCES = Path(__file__).parent
# Sentences other layers write for reports to translate: role evidence and first-sighting notes.
OTHER_SOURCES = (Path(__file__).parent.parent / "network" / "evidence_text.py",)

# Official or main administrative language of each country, where it is one we translate into.
# Multilingual countries take the language their national police most often uses for
# international correspondence among ours (CH: de; BE, LU: fr); everything else gets English.
_COUNTRY_LANG = {
    **dict.fromkeys("ES MX AR CO CL PE VE EC GT CU BO DO HN PY SV NI CR PA UY GQ PR".split(), "es"),
    **dict.fromkeys("PT BR AO MZ CV GW ST TL".split(), "pt"),
    **dict.fromkeys("DE AT CH LI".split(), "de"),
    **dict.fromkeys("IT SM VA".split(), "it"),
    **dict.fromkeys("FR BE LU MC SN CI ML BF NE TG BJ GA CG CD CM MG HT".split(), "fr"),
}


def language_for(country: str | None) -> str:
    return _COUNTRY_LANG.get((country or "").upper(), "en")


def check_language(lang: str) -> str:
    from tantalio.errors import UserError

    code = lang.strip().lower()
    if code not in LANGUAGES:
        raise UserError(f"no report language {lang!r} (choose one of {', '.join(LANGUAGES)})")
    return code


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English, the source language, needs none)."""
    if lang == "en":
        return gettext.NullTranslations()
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)


class Translator:
    """``tr("text")`` and ``tr("%(n)s files", n=3)`` in one language (Python-side strings)."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang
        self._t = translations(lang)

    def __call__(self, message: str, **values: Any) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def number(self, value: float, decimals: int = 0) -> str:
        """A number as this language writes it (English: as network analysis writes it)."""
        if self.lang == "en":
            return f"{value:.{decimals}f}" if decimals else str(value)
        from babel.numbers import format_decimal

        return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=self.lang)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction only"
    return message


# -- catalogue maintenance ----------------------------------------------------------------------
def _extract() -> Any:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir, extract_from_file

    catalog = Catalog(project="Tantalio", domain=DOMAIN, charset="utf-8")
    method_map = [("templates/**.j2", "jinja2"), ("**.py", "python")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}
    keywords: dict[str, Any] = {"_": None, "N_": None, "tr": None, "ngettext": (1, 2), "plural": (1, 2)}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(SOURCES), method_map, options_map=options, keywords=keywords,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for path in OTHER_SOURCES:
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=keywords, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            catalog.add(message, None, [(path.name, lineno)], auto_comments=comments, context=context)
    return catalog


def extract() -> None:
    """Refresh each language's .po from the sources (new strings added untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = _extract()
    for lang in LANGUAGES[1:]:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        if po.exists():
            with po.open("rb") as f:
                catalog = read_po(f, locale=lang, domain=DOMAIN)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="Tantalio", charset="utf-8",
                              copyright_holder="Tantalio contributors", last_translator="Tantalio developers",
                              language_team="Tantalio")
        catalog.update(template, no_fuzzy_matching=True)
        with po.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, no_location=True, ignore_obsolete=True,
                     sort_output=True)


def compiled(lang: str) -> bytes:
    """The .mo bytes of ``lang``'s .po (deterministic: no dates are written into it)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> None:
    for lang in LANGUAGES[1:]:
        (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").write_bytes(compiled(lang))


def main(argv: list[str]) -> int:
    if argv == ["extract"]:
        extract()
    elif argv == ["compile"]:
        compile_all()
    else:
        print("usage: python -m tantalio.report.i18n extract|compile", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
