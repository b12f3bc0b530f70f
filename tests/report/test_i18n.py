"""Reports in the receiving country's language: complete catalogues, shipped compiled, used by
packages per country and overridable; evidence stays as recorded."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tantalio.report.build import write_reports
from tantalio.report.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, _extract, compiled, language_for
from tantalio.store import CaseStore

from .casefixture import INJECTION_NAME, build_case
from .conftest import GENERATED, Reports
from .safety import Page

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_catalogue_is_complete_checked_and_compiled(lang: str) -> None:
    source = {m.id for m in _extract() if m.id}
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    entries = {m.id: m for m in catalog if m.id}
    assert set(entries) == source, "run: python -m tantalio.report.i18n extract (then translate)"
    untranslated = sorted(i for i, m in entries.items() if not m.string or m.fuzzy)
    assert untranslated == []
    assert [problem for m, problems in catalog.check() for problem in problems] == []
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    assert mo.read_bytes() == compiled(lang), "run: python -m tantalio.report.i18n compile"


def test_catalogues_ship_in_the_package() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    assert "**/*.mo" in data["tantalio"]
    assert "babel" in " ".join(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])


def test_language_follows_the_country() -> None:
    assert [language_for(cc) for cc in ("ES", "AR", "BR", "PT", "DE", "AT", "IT", "FR", "BE", "GB", "US", None)] == \
        ["es", "es", "pt", "pt", "de", "de", "it", "fr", "fr", "en", "en", "en"]


def _package(out: Path, cc: str) -> dict[str, str]:
    with zipfile.ZipFile(out / "packages" / f"{cc}.zip") as zf:
        return {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith((".html", ".json", ".csv"))}


def test_packages_speak_the_receiving_country_language(demo_reports: Reports) -> None:
    es = _package(demo_reports.out, "ES")
    de = _package(demo_reports.out, "DE")
    gb = _package(demo_reports.out, "GB")
    ana = es["dossiers/P-001.html"]
    assert '<html lang="es">' in ana and "Glosario de roles" in ana and "Números de teléfono" in ana
    assert "productor" in ana and "Elementos incautados citados" in ana
    assert '<html lang="de">' in de["dossiers/P-005.html"] and "Glossar der Rollen" in de["dossiers/P-005.html"]
    assert '<html lang="en">' in gb["dossiers/P-002.html"] and "Glossary of roles" in gb["dossiers/P-002.html"]
    assert '"lang": "es"' in es["dossiers/P-001.json"]
    assert "Paquete para el país ES" in es["summary.html"]
    # evidence is quoted as recorded, untranslated
    page = Page(ana).all_text
    assert INJECTION_NAME in page and "Ana" in page and "DCIM/Camera/IMG_0001.jpg" in page
    assert '<html lang="en">' in (demo_reports.out / "dossiers" / "P-001.html").read_text(encoding="utf-8")


def test_lang_option_overrides_every_report(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        write_reports(store, tmp_path / "out", pdf=False, lang="fr", generated=GENERATED)
    assert '<html lang="fr">' in (tmp_path / "out" / "overview.html").read_text(encoding="utf-8")
    assert "Glossaire des rôles" in (tmp_path / "out" / "dossiers" / "P-002.html").read_text(encoding="utf-8")
    for cc in ("ES", "GB", "DE"):
        assert '<html lang="fr">' in _package(tmp_path / "out", cc)["summary.html"]
