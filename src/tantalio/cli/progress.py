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
        return self  # the display starts with the first phase, so a batch display may come first

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def phase(self, name: str, total_files: int, total_bytes: int) -> None:
        self._progress.start()
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


class RichBatchProgress:
    """The batch-intake display: exhibits done, files and bytes hashed, rate and ETA (by bytes,
    once the background scan of the sources has given the total)."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("ingest"), BarColumn(), TextColumn("{task.fields[done]}/{task.fields[exhibits]} exhibits"),
            TextColumn("{task.fields[files]:,} files"), TextColumn("{task.fields[rate]:,.0f} files/s"),
            DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
            console=console_err, transient=False, disable=not console_err.is_terminal,
        )
        self._task: TaskID | None = None
        self._started = 0.0

    def __enter__(self) -> RichBatchProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start(self, exhibits: int) -> None:
        import time

        self._progress.start()
        self._started = time.monotonic()
        self._task = self._progress.add_task("ingest", total=None, done=0, exhibits=exhibits, files=0, rate=0.0)

    def totals(self, files: int, nbytes: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, total=nbytes)

    def update(self, exhibits_done: int, files: int, nbytes: int) -> None:
        import time

        if self._task is not None:
            rate = files / max(time.monotonic() - self._started, 1e-6)
            self._progress.update(self._task, completed=nbytes, done=exhibits_done, files=files, rate=rate)

    def done(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[0]
            self._progress.update(self._task, total=task.completed)
            self._task = None
        self._progress.stop()
