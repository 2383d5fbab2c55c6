"""Where the store's files live and how one is written: local disk or an object store, never half a file.

The versioned store (:mod:`connectors.store_versions`) and the public API (:mod:`connectors.store`)
speak only to a :class:`Location`: read, write (atomically), list, stat, delete files by their path
*relative to the store root*, and hold the one writer lock of the store. Two kinds exist:

* :class:`Disk` — a local folder. A write goes to ``.<name>.<random>.tmp`` beside the target and is
  renamed over it with one ``os.replace`` (fsynced), created with the mode a normal file gets
  (0666 minus the umask, so 0644 as the committed snapshot) — not tempfile's 0600. The writer
  lock is ``fcntl.flock`` on ``<root>/.store.lock``; the holder writes its pid, start time and
  command into it, so a second writer that gives up can say who holds it.
* :class:`ObjectStore` — ``s3://bucket/prefix``, configured by the standard AWS environment
  variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``,
  ``AWS_ENDPOINT_URL``). Read through pyarrow's S3 filesystem; written through boto3 (the ``s3``
  extra), because only it can send S3's conditional headers. One PUT replaces a whole object, so a
  write is atomic by itself; version objects are created with ``If-None-Match: *``, a manifest is
  switched with ``If-Match`` on the ETag it was read with (compare-and-swap), and the writer lock is
  an object created with ``If-None-Match: *`` that carries a lease. See
  :mod:`connectors.store_versions` for the order in which objects are written.

Both kinds offer the same compare-and-swap (:meth:`Location.read_tagged` /
:meth:`Location.write_if`): on disk the tag is the file's inode, size and mtime, checked under the
flock; on S3 it is the ETag, checked by the server.

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


class StoreConflict(StoreError):
    """A conditional write was refused: another writer changed the object since it was read."""


#: The tag of an object that does not exist (:meth:`Location.read_tagged`); writing with it means "create only".
ABSENT = ""


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

    def read_tagged(self, rel: str) -> tuple[bytes | None, str]:
        """The bytes and a tag that changes whenever the file does; ``(None, ABSENT)`` if it is missing."""
        raise NotImplementedError

    def write_if(self, rel: str, data: bytes, tag: str) -> str:
        """Replace ``rel`` only if its tag is still ``tag`` (:data:`ABSENT`: only if it still does not
        exist); else raise :class:`StoreConflict` and write nothing. Returns the new tag."""
        raise NotImplementedError

    def write_immutable(self, rel: str, data: bytes) -> None:
        """Write a file named by its content (a version): created if missing, left as is if equal."""
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

    def lock(self, timeout: float | None = None, break_stale: bool = False):
        """The store's one writer lock (re-entrant in a process). ``break_stale``: take over a lock whose
        lease has run out (object stores; a disk lock dies with its holder, so it is never stale)."""
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

    def _tag(self, rel: str) -> str:
        stat = self.stat(rel)
        return ABSENT if stat is None else f"{stat.inode}:{stat.size}:{stat.mtime_ns}"

    def read_tagged(self, rel: str) -> tuple[bytes | None, str]:
        tag = self._tag(rel)
        try:
            data = self.read_bytes(rel)
        except FileNotFoundError:
            return None, ABSENT
        return (data, tag) if self._tag(rel) == tag else self.read_tagged(rel)  # replaced while we read

    def write_if(self, rel: str, data: bytes, tag: str) -> str:
        """Checked under the store's flock (every writer holds it), so check-then-replace is atomic here."""
        if self._tag(rel) != tag:
            raise StoreConflict(f"{rel} changed since it was read")
        self.write_bytes(rel, data)
        return self._tag(rel)

    def write_immutable(self, rel: str, data: bytes) -> None:
        self.write_bytes(rel, data)  # rewriting also repairs a damaged copy; the flock keeps writers apart

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

    def lock(self, timeout: float | None = None, break_stale: bool = False):
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

#: How long a lock object on an object store stays valid without being renewed (its lease). The holder
#: renews it every third of that while it runs, so only a writer that died leaves a lock to expire.
LOCK_LEASE_SECONDS = float(os.environ.get("BEYOND_GDP_LOCK_LEASE", "300"))
S3_EXTRA = "pip install 'beyond-gdp[s3]'"
_CONFLICT_CODES = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}


def _utc(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_utc(text: str) -> float | None:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
    except (TypeError, ValueError):
        return None


class ObjectStore(Location):
    """``s3://bucket/prefix``: read through :class:`pyarrow.fs.S3FileSystem`, written through boto3.

    Endpoint and credentials come from the standard AWS variables; ``AWS_ENDPOINT_URL`` points it
    at any S3-compatible server (MinIO, Ceph, moto in tests). Reading needs only pyarrow. Writing
    needs boto3 (the ``s3`` extra) because pyarrow cannot send the conditional headers
    (``If-None-Match: *``, ``If-Match: <ETag>``) that make the writer lock and the manifest's
    compare-and-swap possible; without them two writers could silently lose each other's version.
    """

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.name = self.url
        without = self.url[len("s3://") :]
        self.bucket_path = without
        self.bucket, _, self.prefix = without.partition("/")
        self.fs = _s3_filesystem()
        self._client = None

    def _key(self, rel: str) -> str:
        return f"{self.bucket_path}/{rel}" if rel else self.bucket_path

    def _object_key(self, rel: str) -> str:
        """The key inside the bucket (what boto3 takes; pyarrow takes bucket/key)."""
        return f"{self.prefix}/{rel}" if self.prefix else rel

    # -- the boto3 side: every write, and the reads a write depends on ----------------------------

    def client(self):
        """A boto3 S3 client for this store; a clear :class:`StoreError` when boto3 is not installed."""
        if self._client is None:
            self._client = _boto3_client(self.url)
        return self._client

    def _call(self, operation: str, rel: str, **kwargs):
        """One S3 request; a refused condition raises :class:`StoreConflict`, any other failure a
        :class:`StoreError` naming the object and the server's error code (never credentials)."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client()
        try:
            return getattr(client, operation)(Bucket=self.bucket, Key=self._object_key(rel), **kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _CONFLICT_CODES or status in (409, 412):
                raise StoreConflict(f"{self.url}/{rel}: the condition of the write did not hold ({code})") from None
            if code in ("NoSuchKey", "404") or status == 404:
                raise FileNotFoundError(rel) from None
            if code == "NotImplemented" or status == 501:
                raise StoreError(
                    f"the object store {self.url} does not support conditional writes ({operation} answered "
                    f"{code}); the writer lock and the manifest's compare-and-swap need If-None-Match and If-Match"
                ) from None
            raise StoreError(f"the object store refused {operation} of {self.url}/{rel}: {code or status}") from None
        except BotoCoreError as exc:
            raise StoreError(f"the object store {self.url} cannot be reached: {exc.__class__.__name__}") from None

    def _put(self, rel: str, data: bytes, **conditions) -> str:
        """One PUT (the object appears whole or not at all); returns the new ETag."""
        return self._call("put_object", rel, Body=data, **conditions)["ETag"]

    def write_bytes(self, rel: str, data: bytes) -> None:
        self._put(rel, data)

    def read_tagged(self, rel: str) -> tuple[bytes | None, str]:
        try:
            answer = self._call("get_object", rel)
        except FileNotFoundError:
            return None, ABSENT
        return answer["Body"].read(), answer["ETag"]

    def write_if(self, rel: str, data: bytes, tag: str) -> str:
        """Compare-and-swap: ``If-Match: <tag>``, or ``If-None-Match: *`` when ``tag`` is :data:`ABSENT`."""
        self._check_lease()
        try:
            return self._put(rel, data, **({"IfNoneMatch": "*"} if tag == ABSENT else {"IfMatch": tag}))
        except FileNotFoundError:  # If-Match on an object deleted meanwhile: S3 answers 404
            raise StoreConflict(f"{self.url}/{rel} was deleted since it was read") from None

    def write_immutable(self, rel: str, data: bytes) -> None:
        """Create an object named by its content with ``If-None-Match: *``; if it exists with the same
        bytes, nothing is written; if it exists with other bytes (damaged), it is replaced with
        ``If-Match`` on the damaged copy's ETag, so a concurrent repair is never overwritten blindly."""
        try:
            self._put(rel, data, IfNoneMatch="*")
            return
        except StoreConflict:
            pass
        existing, tag = self.read_tagged(rel)
        if existing == data:
            return
        self._put(rel, data, **({"IfNoneMatch": "*"} if tag == ABSENT else {"IfMatch": tag}))

    # -- the pyarrow side: every read ---------------------------------------------------------------

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self._key(rel)) as handle:  # a missing key: FileNotFoundError
            return handle.read()

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
            self._call("delete_object", rel)

    def arrow(self, rel: str) -> tuple[pafs.FileSystem, str]:
        return self.fs, self._key(rel)

    def public(self, rel: str) -> str:
        return f"{self.url}/{rel}"

    # -- the writer lock ------------------------------------------------------------------------------

    def lock(self, timeout: float | None = None, break_stale: bool = False):
        return _object_lock(self, LOCK_TIMEOUT_SECONDS if timeout is None else timeout, break_stale)

    def _check_lease(self) -> None:
        lease = _leases.get(self.url)
        if lease is not None and lease.lost:
            raise StoreConflict(
                f"the writer lock on {self.url} was taken over by another writer ({lease.lost}) while this one "
                "held it; nothing more is switched; rerun"
            )


_clients: dict[tuple, object] = {}  # (endpoint, region, key id) -> boto3 client: creating one costs ~50 ms
_clients_guard = threading.Lock()  # boto3's default session is not thread-safe while it creates a client


def _boto3_client(url: str):
    try:
        import boto3
    except ImportError:
        raise StoreError(
            f"writing to the object store {url} needs boto3, which is not installed: {S3_EXTRA}. "
            "pyarrow alone cannot make the conditional writes (If-None-Match / If-Match) that keep "
            "two writers apart; reading the store needs only pyarrow"
        ) from None
    options: dict[str, object] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["endpoint_url"] = endpoint
    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    if region:
        options["region_name"] = region
    key = (endpoint, region, os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_PROFILE"))
    with _clients_guard:
        if key not in _clients:
            _clients[key] = boto3.client("s3", **options)
        return _clients[key]


class _Lease:
    """The lock object this process holds on one object store, renewed in the background until released."""

    def __init__(self, loc: ObjectStore, holder: dict, tag: str):
        self.loc, self.holder, self.tag = loc, holder, tag
        self.lost = ""  # set to who took the lock over, if its renewal finds someone else's lock
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._renew, name=f"lease {loc.url}", daemon=True)
        self.thread.start()

    def _renew(self) -> None:
        interval = max(LOCK_LEASE_SECONDS / 3, 0.2)
        while not self.stop.wait(interval):
            holder = dict(self.holder, expires_at=_utc(time.time() + LOCK_LEASE_SECONDS))
            try:
                self.tag = self.loc._put(LOCK_FILE, _dump_holder(holder), IfMatch=self.tag)
                self.holder = holder
            except StoreConflict:
                self.lost = _describe(_read_holder(self.loc)[0])
                return
            except (StoreError, FileNotFoundError):
                continue  # a network hiccup: the lease has two more renewals before it expires

    def release(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        if self.lost:
            return  # someone else's lock now: never delete it
        with contextlib.suppress(StoreError, FileNotFoundError):
            current, tag = _read_holder(self.loc)
            if current.get("token") != self.holder["token"]:
                return
            try:
                self.loc._call("delete_object", LOCK_FILE, IfMatch=tag)
            except StoreConflict:
                return  # replaced since we read it: not ours any more
            except StoreError:  # a server without conditional deletes: the lock was ours a moment ago
                self.loc._call("delete_object", LOCK_FILE)


_leases: dict[str, _Lease] = {}  # store URL -> the lease this process holds
_lease_depth: dict[str, int] = {}


def _dump_holder(holder: dict) -> bytes:
    return (json.dumps(holder, indent=2, sort_keys=True) + "\n").encode()


def _read_holder(loc: ObjectStore) -> tuple[dict, str]:
    """The lock object's content and ETag; ``({}, ABSENT)`` when there is no lock."""
    data, tag = loc.read_tagged(LOCK_FILE)
    if data is None:
        return {}, ABSENT
    try:
        holder = json.loads(data)
    except ValueError:
        holder = {}
    return (holder if isinstance(holder, dict) else {}), tag


def _describe(holder: dict) -> str:
    if not holder:
        return "a writer that left no name"
    return (
        f"{holder.get('owner', '?')}@{holder.get('host', '?')} pid {holder.get('pid', '?')} "
        f"(`{holder.get('command', '?')}`)"
    )


def _new_holder() -> dict:
    import getpass
    import socket

    now = time.time()
    try:
        owner = getpass.getuser()
    except (KeyError, OSError):
        owner = "unknown"
    return {
        "owner": owner,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": _utc(now),
        "expires_at": _utc(now + LOCK_LEASE_SECONDS),
        "lease_seconds": LOCK_LEASE_SECONDS,
        "command": " ".join(["python", *sys.argv])[:300],
        "token": secrets.token_hex(8),
    }


@contextlib.contextmanager
def _object_lock(loc: ObjectStore, timeout: float, break_stale: bool):
    """Hold ``<prefix>/.store.lock`` on an object store: created with ``If-None-Match: *``, so of two
    writers exactly one creates it; it names its holder and carries a lease (``expires_at``) that the
    holder renews while it runs. A second writer waits up to ``timeout`` seconds, then gets
    :class:`StoreLocked` naming the holder, since when, and when the lease runs out. A lock whose
    lease has passed (its writer died) is taken over only with ``break_stale`` (``--break-lock``),
    never silently, by a conditional PUT on the stale lock's ETag.
    """
    if not _held_guard.acquire(timeout=max(timeout, 0.001)):
        raise StoreLocked(f"the store {loc.url} is being written by another thread of this process")
    try:
        if loc.url in _leases:
            _lease_depth[loc.url] += 1
        else:
            _leases[loc.url] = _acquire(loc, timeout, break_stale)
            _lease_depth[loc.url] = 1
        try:
            yield
        finally:
            _lease_depth[loc.url] -= 1
            if not _lease_depth[loc.url]:
                del _lease_depth[loc.url]
                _leases.pop(loc.url).release()
    finally:
        _held_guard.release()


def _acquire(loc: ObjectStore, timeout: float, break_stale: bool) -> _Lease:
    deadline = time.monotonic() + timeout
    while True:
        holder = _new_holder()
        try:
            return _Lease(loc, holder, loc._put(LOCK_FILE, _dump_holder(holder), IfNoneMatch="*"))
        except StoreConflict:
            pass
        current, tag = _read_holder(loc)
        if tag == ABSENT:
            continue  # released between our PUT and our GET: try again at once
        expires = _parse_utc(current.get("expires_at", ""))
        stale = expires is None or expires < time.time()
        if stale and break_stale:
            try:
                return _Lease(loc, holder, loc._put(LOCK_FILE, _dump_holder(holder), IfMatch=tag))
            except (StoreConflict, FileNotFoundError):
                continue  # someone renewed, released or broke it first: look again
        if time.monotonic() >= deadline:
            raise StoreLocked(_locked_message(loc, current, stale, timeout))
        time.sleep(0.25)


def _locked_message(loc: ObjectStore, holder: dict, stale: bool, timeout: float) -> str:
    since, until = holder.get("started_at", "?"), holder.get("expires_at", "?")
    text = f"the store {loc.url} is locked by {_describe(holder)} since {since}"
    if stale:
        return (
            f"{text}; its lease ran out at {until}, so that writer has probably died (a live writer renews it). "
            "If no writer is running, rerun with --break-lock to take the lock over"
        )
    return (
        f"{text}; waited {timeout:g} s. Retry after {until} (when its lease runs out unless that writer renews it), "
        "or wait longer with BEYOND_GDP_LOCK_TIMEOUT=<seconds>"
    )


def _s3_filesystem() -> pafs.S3FileSystem:
    options: dict[str, object] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["endpoint_override"] = endpoint
        if endpoint.startswith("http://"):
            options["scheme"] = "http"
    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    if region:
        options["region"] = region
    return pafs.S3FileSystem(**options)
