"""`rathaus sync --watch`: run a source when its folder changes.

Filesystem events (inotify, through watchfiles) where they work; polling where they do not:
on NFS and SMB/CIFS mounts, changes made by other machines raise no inotify event, so `auto`
polls any folder on a network filesystem. Bursts of changes (a whole folder copied in) are
debounced into one run; a full run also happens every `interval_minutes`, so a missed event
costs at most one interval. Files still being written are retried after `stable_seconds`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from assistant.operations.sync import SourceStatus, SyncService
from core.config import SyncSource

log = logging.getLogger(__name__)
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph",
                       "glusterfs", "davfs", "fuse.sshfs", "fuse.rclone", "fuse.glusterfs"}
TICK_SECONDS = 1.0  # how often a quiet watcher checks for due runs and the stop signal


def filesystem_type(path: Path, mounts: str | None = None) -> str:
    """The type of the filesystem holding `path`, from /proc/mounts (longest mount point)."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return ""
    target = str(path.resolve())
    best, kind = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def uses_polling(source: SyncSource) -> bool:
    if source.polling != "auto":
        return source.polling == "always"
    return filesystem_type(source.path) in NETWORK_FILESYSTEMS


class FolderWatcher:
    """One thread per source; runs go through `SyncService.run_source` (one at a time)."""

    def __init__(self, sync: SyncService, *, debounce_seconds: float, poll_seconds: float,
                 stable_seconds: float, on_run: Callable[[SourceStatus], None] | None = None
                 ) -> None:
        self.sync = sync
        self.debounce_ms = int(debounce_seconds * 1000)
        self.poll_ms = int(poll_seconds * 1000)
        self.stable_seconds = stable_seconds
        self.on_run = on_run

    def watch(self, stop: threading.Event, names: list[str] | None = None) -> None:
        """Until `stop` is set: a first run of every source, then runs on change."""
        sources = [self.sync.source(n) for n in names] if names else self.sync.sources
        threads = [threading.Thread(target=self._watch_source, args=(s, stop), daemon=True,
                                    name=f"sync-{s.name}") for s in sources]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _run(self, source: SyncSource) -> SourceStatus:
        status = self.sync.run_source(source)
        if self.on_run is not None:
            self.on_run(status)
        return status

    def _watch_source(self, source: SyncSource, stop: threading.Event) -> None:
        status = self._run(source)
        while not stop.is_set():
            if not source.path.is_dir():  # share not mounted: retry at the interval
                stop.wait(min(source.interval_minutes * 60, 30))
                status = self._run(source)
                continue
            status = self._follow(source, stop, status)

    def _follow(self, source: SyncSource, stop: threading.Event, status: SourceStatus
                ) -> SourceStatus:
        """Watch the folder until it disappears or `stop` is set."""
        import watchfiles

        polling = uses_polling(source)
        log.info("watching %s (%s)", source.path, "polling" if polling else "events")
        last = time.monotonic()
        for changes in watchfiles.watch(
                source.path, stop_event=stop, debounce=self.debounce_ms, step=50,
                force_polling=polling, poll_delay_ms=self.poll_ms, recursive=True,
                rust_timeout=int(TICK_SECONDS * 1000), yield_on_timeout=True,
                raise_interrupt=False, ignore_permission_denied=True):
            now = time.monotonic()
            due = (bool(changes)
                   or now - last >= source.interval_minutes * 60
                   or (bool(status.waiting or status.error)
                       and now - last >= max(self.stable_seconds, TICK_SECONDS)))
            if due:
                status = self._run(source)
                last = time.monotonic()
            if not source.path.is_dir():
                break
        return status
