"""`tantalio report CASE OUT [--country CC] [--person ID] [--thumbnails]` and
`tantalio report verify PACKAGE.zip`.

Click cannot give a group both positional arguments and subcommands, so ``report`` is a group
whose default subcommand is ``build``: ``tantalio report CASE OUT`` is read as
``tantalio report build CASE OUT``. A case folder literally named ``verify`` or ``build`` needs
the explicit form (``tantalio report build verify OUT``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from tantalio.cli.app import app, console
from tantalio.store import CaseStore


class _DefaultBuild(TyperGroup):
    """A group that runs ``build`` when the first argument is not one of its subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


report_app = typer.Typer(cls=_DefaultBuild, no_args_is_help=True,
                         help="Dossiers, country packages, the victim-identification queue and the case overview.")
app.add_typer(report_app, name="report")


@report_app.command("build")
def build(
    case: Path = typer.Argument(..., help="Case folder."),
    out: Path = typer.Argument(..., help="Folder to write the reports into."),
    country: str | None = typer.Option(None, "--country", help="Only this country's package (ISO code)."),
    person: str | None = typer.Option(None, "--person", help="Only this person's dossier (e.g. P-001)."),
    thumbnails: bool = typer.Option(False, "--thumbnails",
                                    help="Add greyscale, heavily blurred thumbnails read from the evidence."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Render dossiers to PDF too (WeasyPrint)."),
    lang: str | None = typer.Option(None, "--lang", help="Language of every report: en, es, pt, de, it or fr "
                                    "(default: English for the case's own reports, the receiving country's "
                                    "language for each package)."),
    signing_key: Path | None = typer.Option(None, "--signing-key", help="Sign packages with this unit key (Ed25519, "
                                            "PEM) instead of the case key made on first use."),
    analyst: str | None = typer.Option(None, "--analyst", help="Name of the analyst running the report "
                                       "(default: TANTALIO_USER or the login name)."),
    workers: int | None = typer.Option(None, "--workers", help="Processes rendering PDFs (default: every core)."),
    unit_pdfs: bool = typer.Option(False, "--unit-pdfs", help="PDFs of the unit's own dossiers too (packages always "
                                   "carry PDFs, in their language)."),
) -> None:
    """Write the reports of a case (the default: `tantalio report CASE OUT`)."""
    from tantalio.report.build import write_reports

    with CaseStore.open(case) as store, console.status("writing reports") as status:
        def tell(msg: str) -> None:
            status.update(f"writing {msg}")
        run = write_reports(store, out, country=country, person=person, thumbnails=thumbnails, pdf=pdf, lang=lang,
                            signing_key=signing_key, analyst=analyst, workers=workers, unit_pdfs=unit_pdfs,
                            progress=tell)
    console.print(f"wrote {len(run.written)} files to {out}: {run.dossiers} dossiers, {run.pdfs} PDFs, "
                  f"{len(run.packages)} packages; run complete")
    if run.fingerprint:
        console.print(f"packages signed by {run.fingerprint}; partners check them with "
                      f"`tantalio report verify PACKAGE.zip --fingerprint {run.fingerprint}`")


@report_app.command("verify")
def verify(
    package: Path = typer.Argument(..., help="A country package zip."),
    fingerprint: str | None = typer.Option(None, "--fingerprint", help="The signer's key fingerprint you expect "
                                           "(sha256:…, sent apart from the package): any other signer fails."),
) -> None:
    """Check a package's signature and every file (exit 4 with the reason for any alteration)."""
    from tantalio.report.packages import verify_package

    check = verify_package(package, fingerprint)
    console.print(f"[green]package verified[/]: signature valid, {check.files} files match the signed manifest"
                  f"{f' (country {check.country})' if check.country else ''}; signed by {check.fingerprint}"
                  f"{'' if fingerprint else ' (compare it with the fingerprint the sender gave you)'}",
                  highlight=False, soft_wrap=True)
