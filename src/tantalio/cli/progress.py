"""Rich progress bars (files, bytes, rate) for long work."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from tantalio.cli.app import console_err


class RichProgress:
    """Implements the library's Progress protocol on a Rich display (stderr)."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<9}"), BarColumn(), TextColumn("{task.fields[files]}/{task.fields[nfiles]} files"),
            DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
            console=console_err, transient=False, disable=not console_err.is_terminal,
        )
        self._task: TaskID | None = None
        self._by_bytes = True
        self._bytes: dict[TaskID, int] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def phase(self, name: str, total_files: int, total_bytes: int) -> None:
        # Rich tracks one quantity per task: bytes drive the bar when known, else files do.
        self._by_bytes = total_bytes > 0
        self._task = self._progress.add_task(name, total=(total_bytes if self._by_bytes else total_files) or None,
                                             files=0, nfiles=total_files)

    def advance(self, files: int, nbytes: int) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, advance=nbytes if self._by_bytes else files,
                                  files=task.fields["files"] + files)

    def done(self) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total or 0)
            self._task = None
