"""Progress bar for long ingests: documents and chunks per second (rich, on stderr)."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class IngestProgress:
    """Context manager whose `update` fits `ingest.pipeline.ProgressCallback`."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task = None
        self._started = 0.0

    def __enter__(self) -> IngestProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]Indexiere[/bold]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                TextColumn("{task.fields[name]}"), console=Console(stderr=True), transient=False,
            )
            self._progress.__enter__()
        self._started = time.perf_counter()
        return self

    def update(self, name: str, files_done: int, total: int, chunks: int) -> None:
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task("ingest", total=None, name="", rate="")
        elapsed = max(time.perf_counter() - self._started, 1e-6)
        self._progress.update(
            self._task, completed=files_done, total=total, name=name[:40],
            rate=f"{files_done / elapsed:.1f} Dok/s · {chunks / elapsed:.0f} Abschn./s",
        )

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)
