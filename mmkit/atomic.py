"""Atomic output: write to a temporary name beside the target, rename onto it only when complete.

A crash, a kill or an exception never leaves a half-written file under the final name.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


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
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_dir:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.partial-", suffix=path.suffix, dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the final file gets the usual mode
    try:
        yield tmp
        if is_dir and path.is_dir():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
