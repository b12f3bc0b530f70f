from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tantalio.report.build import write_reports
from tantalio.store import CaseStore

from .casefixture import FixtureCase, build_case

GENERATED = datetime(2017, 5, 1, 9, 30, tzinfo=UTC)   # a fixed run time: outputs compare byte for byte


@dataclass(frozen=True)
class Reports:
    case: FixtureCase
    out: Path


def _reports(tmp: Path, synthetic: bool, pdf: bool) -> Reports:
    fx = build_case(tmp, synthetic=synthetic, categorisations=True)
    with CaseStore.open(fx.folder) as store:
        write_reports(store, tmp / "out", thumbnails=True, pdf=pdf, generated=GENERATED, analyst="analyst1",
                      unit_pdfs=True)
    return Reports(fx, tmp / "out")


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """The fixture case marked synthetic, every report written (PDFs included)."""
    return _reports(tmp_path_factory.mktemp("synthetic"), synthetic=True, pdf=True)


@pytest.fixture(scope="session")
def plain_reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """The same case not marked synthetic (no PDFs: they are checked on the other one)."""
    return _reports(tmp_path_factory.mktemp("plain"), synthetic=False, pdf=False)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small synthetic demo case (generated, ingested, analysed; no reports)."""
    import importlib.util

    if importlib.util.find_spec("tantalio.demo.run") is None:
        pytest.skip("the demo generator is not installed")
    from tantalio.demo.config import DemoConfig
    from tantalio.demo.run import run_demo
    from tantalio.exec import make_executor

    return run_demo(tmp_path_factory.mktemp("demo"), make_executor(1), DemoConfig.small(), reports=False).case
