"""What outlives a killed run: pool workers that die with it, temporaries a later run removes.

A run killed with SIGKILL runs no cleanup code. Its pool workers would carry on, re-parented
to init, holding hundreds of MB each; ``die_with_parent`` (a pool initializer) makes the
kernel kill them with their parent on Linux and has a watchdog thread do it elsewhere. Its
temporary folders (``.staging-*``, ``.segment-*``) would stay; each carries an owner file
naming the host, process and process start time that made it (``claim``), and a later run
removes those whose owner is provably gone (``remove_orphans``).
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import shutil
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import psutil

#: Written into a temporary folder by the process that owns it.
OWNER_FILE = ".owner.json"
#: A temporary with no readable owner (made by an older version, or killed between making
#: the folder and claiming it), or one made on another host, is removed at this age.
ORPHAN_AGE_SECONDS = 24 * 3600
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_WATCH_SECONDS = 1.0

log = logging.getLogger("stackwise_analysis.lifetime")


def die_with_parent(parent: int) -> None:
    """Pool initializer: end this worker when process ``parent`` ends, however it ends.

    On Linux, for a worker forked straight from ``parent``, the kernel sends SIGKILL at the
    parent's death (``PR_SET_PDEATHSIG``); a parent that died before this ran is caught by
    comparing ``os.getppid()``. Elsewhere, or for a worker started by a fork server, a daemon
    thread checks once a second that ``parent`` still runs.

    >>> ProcessPoolExecutor(2, initializer=die_with_parent, initargs=(os.getpid(),))
    ... # doctest: +SKIP
    """
    armed = False
    if sys.platform.startswith("linux") and os.getppid() == parent:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
        if os.getppid() != parent:  # it died before the signal was armed
            os._exit(1)
    if not armed:
        try:
            watched = psutil.Process(parent)
        except psutil.NoSuchProcess:
            os._exit(1)
        threading.Thread(target=_watch, args=(watched,), daemon=True,
                         name="die-with-parent").start()


def _watch(parent: psutil.Process) -> None:
    while parent.is_running():  # False once it ended, even if its pid is reused
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


def _me() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "started": psutil.Process().create_time()}


def claim(folder: Path) -> None:
    """Mark ``folder`` (a temporary being filled) as this process's."""
    (Path(folder) / OWNER_FILE).write_text(json.dumps(_me()), encoding="utf-8")


def release(folder: Path) -> None:
    """Remove the owner mark before ``folder`` is published under its final name."""
    (Path(folder) / OWNER_FILE).unlink(missing_ok=True)


def _owner_gone(owner: dict) -> bool:
    """Whether the process an owner file names has ended (a reused pid does not count)."""
    try:
        return abs(psutil.Process(int(owner["pid"])).create_time()
                   - float(owner["started"])) > 1.0
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # exists, but cannot be inspected: leave its files alone
        return False


def is_orphan(path: Path) -> bool:
    """Whether temporary ``path`` belongs to no living run (see the module docstring)."""
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    try:
        owner = json.loads((path / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        owner = None
    if isinstance(owner, dict) and owner.get("host") == socket.gethostname():
        try:
            return _owner_gone(owner)
        except (KeyError, TypeError, ValueError):
            pass
    return age > ORPHAN_AGE_SECONDS


def remove_orphans(folder: Path, pattern: str) -> list[Path]:
    """Remove the entries of ``folder`` matching ``pattern`` that ``is_orphan``; returns them.

    >>> remove_orphans(Path("reports"), ".staging-*")  # doctest: +SKIP
    [PosixPath('reports/.staging-20261130T021500Z-3fa2c1')]
    """
    removed = []
    for path in sorted(Path(folder).glob(pattern)):
        if not is_orphan(path):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        if not path.exists():
            log.info("removed %s, left by a run that ended without cleaning up", path)
            removed.append(path)
    return removed
