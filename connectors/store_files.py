"""Where the store's files live and how one is written: local disk or an object store, never half a file.

The versioned store (:mod:`connectors.store_versions`) and the public API (:mod:`connectors.store`)
speak only to a :class:`Location`: read, write (atomically), list, stat, delete files by their path
*relative to the store root*, and hold the one writer lock of the store. Two kinds exist:

* :class:`Disk` — a local folder. A write goes to ``.<name>.<random>.tmp`` beside the target and is
  renamed over it with one ``os.replace`` (fsynced), created with the mode a normal file gets
  (0666 minus the umask, so 0644 as the committed snapshot) — not tempfile's 0600. The writer
  lock is ``fcntl.flock`` on ``<root>/.store.lock``; the holder writes its pid, start time and
  command into it, so a second writer that gives up can say who holds it.
* :class:`ObjectStore` — ``s3://bucket/prefix`` through pyarrow's S3 filesystem, configured by the
  standard AWS environment variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
  ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``). One PUT replaces a whole object, so a write is
  atomic by itself; see :mod:`connectors.store_versions` for the order in which objects are written.

Messages name files relative to the store root, never by absolute server path: they are shown to
visitors of the app.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

LOCK_FILE = ".store.lock"
TMP_SUFFIX = ".tmp"
#: How long a second writer waits for the lock before it stops with the holder's name.
LOCK_TIMEOUT_SECONDS = float(os.environ.get("BEYOND_GDP_LOCK_TIMEOUT", "60"))


class StoreError(Exception):
    """A dataset could not be written or read; the message says which file and why."""


class StoreLocked(StoreError):
    """Another process holds the store's writer lock for longer than we were willing to wait."""


class DatasetUnavailable(StoreError):
    """One dataset is missing, damaged or unreadable; the others are unaffected.

    The message names the dataset, what is wrong and the command that restores it, and never an
    absolute path, so the app can show it to a visitor as it is.
    """

    def __init__(self, source: str, dataset: str, reason: str, fix: str):
        self.source, self.dataset, self.reason, self.fix = source, dataset, reason, fix
        super().__init__(f"dataset {source}/{dataset} is unavailable: {reason}. To restore it: {fix}")


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int
    inode: int = 0  # on disk: a replaced file is a new inode even within one mtime tick


def is_object_store(root: object) -> bool:
    return isinstance(root, str) and root.startswith("s3://")


def locate(root: object) -> Location:
    """The :class:`Location` for a store root: a local folder, or an ``s3://bucket/prefix`` URL."""
    if isinstance(root, Location):
        return root
    if is_object_store(root):
        return ObjectStore(str(root))
    return Disk(Path(root))


class Location:
    """A store root: files addressed by '/'-separated paths relative to it."""

    name: str  # how messages name the root (its folder name or URL), never an absolute path

    def read_bytes(self, rel: str) -> bytes:
        raise NotImplementedError

    def write_bytes(self, rel: str, data: bytes) -> None:
        raise NotImplementedError

    def stat(self, rel: str) -> FileStat | None:
        raise NotImplementedError

    def list_stats(self, rel_dir: str, recursive: bool = False, suffix: str = "") -> dict[str, FileStat]:
        """Size and mtime of the files under ``rel_dir`` whose name ends with ``suffix``, by relative path
        (one LIST on S3); empty if the folder does not exist."""
        raise NotImplementedError

    def list_files(self, rel_dir: str, recursive: bool = False) -> list[str]:
        """Paths (relative to the root) of the files under ``rel_dir``; empty if it does not exist."""
        return sorted(self.list_files_unsorted(rel_dir, recursive))

    def list_files_unsorted(self, rel_dir: str, recursive: bool) -> list[str]:
        return list(self.list_stats(rel_dir, recursive))

    def delete(self, rel: str) -> None:
        raise NotImplementedError

    def arrow(self, rel: str) -> tuple[pafs.FileSystem, str]:
        """The filesystem and path pyarrow opens this file with."""
        raise NotImplementedError

    def public(self, rel: str):
        """What :func:`connectors.store.dataset_files` hands out: a Path on disk, a URL on S3."""
        raise NotImplementedError

    def lock(self, timeout: float | None = None):
        raise NotImplementedError


class Disk(Location):
    def __init__(self, base: Path):
        self.base = Path(base)
        self.name = self.base.name or str(self.base)

    def path(self, rel: str) -> Path:
        return self.base / rel

    def read_bytes(self, rel: str) -> bytes:
        return self.path(rel).read_bytes()

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write through a temporary file in the same folder and one ``os.replace``, fsynced."""
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}{TMP_SUFFIX}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0666 minus umask, like any file
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def stat(self, rel: str) -> FileStat | None:
        try:
            info = self.path(rel).stat()
        except FileNotFoundError:
            return None
        return FileStat(info.st_size, info.st_mtime_ns, info.st_ino)

    def _walk(self, rel_dir: str, recursive: bool):
        """(relative path, DirEntry) of every file, by os.scandir: no stat for names we do not want."""
        pending = [rel_dir]
        while pending:
            current = pending.pop()
            try:
                entries = list(os.scandir(self.path(current)))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                rel = f"{current}/{entry.name}" if current else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        pending.append(rel)
                elif entry.is_file():
                    yield rel, entry

    def list_stats(self, rel_dir: str, recursive: bool = False, suffix: str = "") -> dict[str, FileStat]:
        found = {}
        for rel, entry in self._walk(rel_dir, recursive):
            if entry.name.endswith(suffix):
                with contextlib.suppress(FileNotFoundError):  # renamed away while we looked
                    info = entry.stat()
                    found[rel] = FileStat(info.st_size, info.st_mtime_ns, info.st_ino)
        return found

    def list_files_unsorted(self, rel_dir: str, recursive: bool) -> list[str]:
        return [rel for rel, _ in self._walk(rel_dir, recursive)]

    def delete(self, rel: str) -> None:
        self.path(rel).unlink(missing_ok=True)

    def arrow(self, rel: str) -> tuple[pafs.FileSystem, str]:
        return pafs.LocalFileSystem(), str(self.path(rel))

    def public(self, rel: str) -> Path:
        return self.path(rel)

    def lock(self, timeout: float | None = None):
        return _disk_lock(self.base, LOCK_TIMEOUT_SECONDS if timeout is None else timeout)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems refuse fsync on a directory; the rename stands
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the writer lock on disk --------------------------------------------------------------------

_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth), for re-entry in this process
_held_guard = threading.RLock()


def holder_description(text: str) -> str:
    """'pid 123, started 2026-12-06T23:00:00Z, `python -m connectors refresh --all`' from the lock file."""
    try:
        holder = json.loads(text)
        return f"pid {holder['pid']}, started {holder['started_at']}, `{holder['command']}`"
    except (ValueError, KeyError, TypeError):
        return "a process that left no name"


@contextlib.contextmanager
def _disk_lock(base: Path, timeout: float):
    """Hold ``<root>/.store.lock`` exclusively (re-entrant in one process, exclusive across threads).

    Waits up to ``timeout`` seconds, then raises :class:`StoreLocked` naming the holder. The kernel
    drops the lock when its holder dies, even by kill -9, so a crashed writer never blocks the next.
    """
    base.mkdir(parents=True, exist_ok=True)
    key = str((base / LOCK_FILE).resolve())
    deadline = time.monotonic() + timeout
    if not _held_guard.acquire(timeout=max(timeout, 0.001)):
        raise StoreLocked(f"the store {base.name} is being written by another thread of this process")
    try:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
        else:
            fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o666)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        os.close(fd)
                        raise
                    if time.monotonic() >= deadline:
                        holder = holder_description(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
                        os.close(fd)
                        raise StoreLocked(
                            f"the store {base.name} is being written by another process ({holder}); waited "
                            f"{timeout:g} s. Run again when it has finished, or wait longer with "
                            "BEYOND_GDP_LOCK_TIMEOUT=<seconds>"
                        ) from None
                    time.sleep(0.05)
            holder = {
                "pid": os.getpid(),
                "started_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "command": " ".join(["python", *sys.argv])[:300],
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode(), 0)
            _held[key] = (fd, 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
    finally:
        _held_guard.release()


# --- S3-compatible object stores ----------------------------------------------------------------


class ObjectStore(Location):
    """``s3://bucket/prefix`` through :class:`pyarrow.fs.S3FileSystem`.

    Endpoint and credentials come from the standard AWS variables; ``AWS_ENDPOINT_URL`` points it
    at any S3-compatible server (MinIO, Ceph, moto in tests).
    """

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.name = self.url
        without = self.url[len("s3://") :]
        self.bucket_path = without
        self.fs = _s3_filesystem()

    def _key(self, rel: str) -> str:
        return f"{self.bucket_path}/{rel}" if rel else self.bucket_path

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self._key(rel)) as handle:  # a missing key: FileNotFoundError
            return handle.read()

    def write_bytes(self, rel: str, data: bytes) -> None:
        with self.fs.open_output_stream(self._key(rel)) as handle:  # one PUT: the object appears whole
            handle.write(data)

    def stat(self, rel: str) -> FileStat | None:
        info = self.fs.get_file_info(self._key(rel))
        if info.type != pafs.FileType.File:
            return None
        mtime = info.mtime_ns if info.mtime_ns is not None else 0
        return FileStat(info.size, mtime)

    def list_stats(self, rel_dir: str, recursive: bool = False, suffix: str = "") -> dict[str, FileStat]:
        selector = pafs.FileSelector(self._key(rel_dir), allow_not_found=True, recursive=recursive)
        prefix = self.bucket_path + "/"
        return {
            info.path[len(prefix) :]: FileStat(info.size, info.mtime_ns or 0)
            for info in self.fs.get_file_info(selector)
            if info.type == pafs.FileType.File and info.path.endswith(suffix)
        }

    def delete(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_file(self._key(rel))

    def arrow(self, rel: str) -> tuple[pafs.FileSystem, str]:
        return self.fs, self._key(rel)

    def public(self, rel: str) -> str:
        return f"{self.url}/{rel}"

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None):
        """No lock on an object store: writes to one are made by a single scheduled writer (docs/store.md).

        S3 has no flock, and pyarrow's S3 layer cannot send the conditional ``If-None-Match`` a lock
        object would need; what keeps two writers from disagreeing is that every version object is
        named by its content and the manifest is one object, written last.
        """
        yield


def _s3_filesystem() -> pafs.S3FileSystem:
    options: dict[str, object] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3")
    if endpoint:
        options["endpoint_override"] = endpoint
        if endpoint.startswith("http://"):
            options["scheme"] = "http"
    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    if region:
        options["region"] = region
    return pafs.S3FileSystem(**options)
