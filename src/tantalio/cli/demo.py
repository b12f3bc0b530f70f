"""`tantalio demo`: the whole job on the built-in synthetic case."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from tantalio.cli.app import app, console


@app.command("demo")
def demo_command(
    out: Path = typer.Argument(Path("tantalio-demo"), help="Folder for the generated evidence, case and outputs."),
    small: bool = typer.Option(False, "--small", help="The tiny variant used by the tests."),
    seed: int = typer.Option(2017, "--seed", help="Generator seed (same seed, same case)."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", help="Worker processes (exhibits and media "
                                "triage in parallel)."),
    serve: bool = typer.Option(False, "--serve", help="Then serve the web UI on 127.0.0.1 with a demo reviewer "
                               "account (its password is printed once)."),
    port: int = typer.Option(8400, "--port", help="Port for --serve."),
) -> None:
    """Generate the synthetic demo case (benign, invented) and run everything on it."""
    from tantalio.cli.progress import RichBatchProgress, RichProgress
    from tantalio.demo.config import DemoConfig
    from tantalio.demo.run import run_demo, summary
    from tantalio.exec import make_executor

    config = DemoConfig.small(seed) if small else DemoConfig(seed=seed)
    started = time.monotonic()
    executor = make_executor(workers)
    try:
        with RichProgress() as progress, RichBatchProgress() as batch_progress:
            result = run_demo(out, executor, config, progress, batch_progress=batch_progress)
    finally:
        executor.close()
    s = summary(result)
    console.print(f"[bold reverse] {s['banner']} [/]")
    console.print(f"exhibits {s['exhibits']} ({s['files']:,} files) · persons {s['persons']} · groups {s['groups']} · "
                  f"countries {len(s['countries'])} ({', '.join(s['countries'])})")
    console.print("roles: " + (", ".join(f"{k} {v}" for k, v in sorted(s["roles"].items())) or "none"))
    console.print("media: " + (", ".join(f"{k} {v}" for k, v in sorted(s["media"].items())) or "none")
                  + f" · case warnings {s['warnings']}")
    console.print("time: " + " · ".join(f"{name} {secs:.{1 if secs >= 0.1 else 2}f} s"
                                        for name, secs in result.phases.items())
                  + f" · total {time.monotonic() - started:.0f} s ({workers} workers)", highlight=False)
    console.print(f"case:         {result.case}")
    console.print(f"export:       {result.export}")
    console.print(f"ground truth: {result.ground_truth}  (score: python bench/accuracy.py {result.export} {result.ground_truth})")
    if result.outputs:
        console.print(f"reports:      {out / 'reports'}  ({_outputs_line(result.outputs)})", highlight=False)
    if not serve:
        console.print(f"browse it: tantalio demo {out} --serve   (or: tantalio users add {result.case} NAME "
                      f"--role reviewer; tantalio serve {result.case})")
        return
    import secrets

    from tantalio.cli.web import serve as serve_case
    from tantalio.store import CaseStore
    from tantalio.web.accounts import add_user

    password = secrets.token_urlsafe(12)
    with CaseStore.open(result.case) as store:
        add_user(store, "demo", "reviewer", password)
    console.print(f"web UI account: [bold]demo[/] / [bold]{password}[/] (reviewer; media stay blurred until revealed)",
                  highlight=False)
    serve_case(result.case, host="127.0.0.1", port=port, scheme="projectvic", secure_cookies=False)


def _outputs_line(outputs: dict[str, Path]) -> str:
    """What the reports folder holds, counted by folder and kind (not one line per file)."""
    from collections import Counter

    kinds: dict[str, Counter[str]] = {}
    for name in outputs:
        top, _, rest = name.replace("\\", "/").partition("/")
        folder = f"{top}/" if rest else ""
        kinds.setdefault(folder, Counter())[Path(name).suffix.lstrip(".") or "file"] += 1
    parts = []
    for folder, counted in sorted(kinds.items()):
        listing = ", ".join(f"{n} {kind}" for kind, n in sorted(counted.items()))
        parts.append(f"{folder} {listing}" if folder else listing)
    return f"{len(outputs)} files: " + "; ".join(parts)
