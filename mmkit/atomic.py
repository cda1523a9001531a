"""Atomic output: write to a temporary name beside the target, rename onto it only when complete.

A crash, a kill or an exception never leaves a half-written file under the final name. The temporary
file (or folder, for PNG frames) is ``.NAME.partial-HOST-PID-XXXX.SUFFIX`` in the target's folder: an
exception or Ctrl-C removes it; a process killed outright (SIGKILL, power loss) cannot, so the next
atomic write into that folder removes every partial whose writer, a process on this host, has ended.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import MMKitError

# .NAME.partial-HOST-PID-...: HOST is a hash of the host name, PID the writing process
_PARTIAL = re.compile(r"^\..*\.partial-([0-9a-f]{8})-(\d+)-")


@contextmanager
def atomic_path(path: str | os.PathLike, is_dir: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` (same suffix, so tools pick the format); rename on success.

    Examples:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> with atomic_path(d / "out.txt") as tmp:
        ...     _ = tmp.write_text("done")
        >>> (d / "out.txt").read_text()
        'done'
    """
    path = Path(path)
    tag = f"partial-{_host()}-{os.getpid()}-"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_partials(path.parent)
        if is_dir:
            tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{tag}", dir=path.parent))
            os.chmod(tmp, 0o777 & ~_umask())
        else:
            fd, name = tempfile.mkstemp(prefix=f".{path.stem}.{tag}", suffix=path.suffix, dir=path.parent)
            os.close(fd)
            tmp = Path(name)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the final file gets the usual mode
    except OSError as err:
        raise MMKitError(f"cannot write {path}: {err.strerror or err} ({err.filename or path.parent}); "
                         "choose a folder you can write to") from None
    try:
        yield tmp
        _replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def clean_stale_partials(folder: str | os.PathLike) -> list[Path]:
    """Remove the partial outputs in ``folder`` left by writers on this host that have ended (killed before
    they could clean up); those of running processes, and of other hosts, are kept. Returns what it removed.

    Examples:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / f".out.partial-{_host()}-999999999-x1.mp4").write_bytes(b"half")   # no such process
        >>> _ = (d / f".out.partial-{_host()}-{os.getpid()}-x2.mp4").write_bytes(b"")   # this one, running
        >>> [p.name.split("-")[-1] for p in clean_stale_partials(d)], len(list(d.iterdir()))
        (['x1.mp4'], 1)
    """
    if os.name != "posix":  # os.kill(pid, 0) terminates the process on Windows
        return []
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        if not match or match[1] != _host() or _alive(int(match[2])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            try:
                entry.unlink()
            except OSError:
                continue
        removed.append(entry)
    return removed


def _host() -> str:
    return f"{zlib.crc32(socket.gethostname().encode()):08x}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or a name this scheme did not make: keep it
    return True


def _replace(tmp: Path, out: Path) -> None:
    """Move the finished temporary file or folder onto ``out`` (an old folder is moved aside, then deleted)."""
    if out.is_dir() and not out.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / out.name)
        os.replace(tmp, out)
        shutil.rmtree(old)
    else:
        if tmp.is_dir() and (out.exists() or out.is_symlink()):
            out.unlink()  # a file is being replaced by a folder of frames
        os.replace(tmp, out)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
