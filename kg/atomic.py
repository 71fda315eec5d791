"""Write files and directories so a reader sees the old version or the new, never half.

Every artefact goes to a temporary sibling first and is renamed into place;
on any failure (or Ctrl-C) the temporary is removed and the previous output
stays as it was. An OS error while writing (no space left, permission denied)
is an OutputError naming the path.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from kg.signals import deferred


class OutputError(Exception):
    """The output path cannot or must not be written."""


def check_target(path: Path, force: bool = False, kind: str = "file") -> None:
    if path.is_symlink():
        raise OutputError(f"{path}: refusing to write through a symbolic link")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; use --force to replace it")
    if path.exists() and kind == "file" and path.is_dir():
        raise OutputError(f"{path}: is a directory")


class OutputWriteError(OutputError, OSError):
    """The OS refused a write (no space left, read-only, permission, a file where a directory
    goes): an OutputError, which `kg` reports with exit status 3, and still the OSError it was."""


def _cannot(path: Path, exc: OSError) -> OutputWriteError:
    err = OutputWriteError(f"{path}: cannot write: {exc.strerror or exc}")
    err.errno = exc.errno
    return err


def _make_parent(path: Path) -> None:
    """Create the missing directories above `path`, but never through a `..`: `a/new/../out`
    names no directory yet (the OS would refuse it too); making `a/new` would leave a directory
    the user never named."""
    if not path.parent.is_dir() and ".." in path.parts:
        raise OutputError(f"{path}: the directory it is in does not exist")
    path.parent.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator:
    """Open a temporary sibling of `path`; rename it over `path` on success."""
    try:
        _make_parent(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot(path, exc) from exc
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot(path, exc) from exc
        raise


def write_text(path: Path, text: str) -> None:
    with atomic_file(path) as fh:
        fh.write(text)


@contextlib.contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Fill a temporary directory; swap it in for `path` on success."""
    try:
        _make_parent(path)
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    except OSError as exc:
        raise _cannot(path, exc) from exc
    try:
        yield tmp
        with deferred():  # no Ctrl-C or SIGTERM between moving the old version out and the new in
            old = None
            if path.exists():
                old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
                os.rmdir(old)
                os.replace(path, old)
            try:
                os.replace(tmp, path)
            except BaseException:
                if old is not None:
                    os.replace(old, path)  # put the previous version back
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _cannot(path, exc) from exc
        raise
