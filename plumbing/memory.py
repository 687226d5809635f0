"""Give memory the allocator freed back to the operating system.

Restoring a partition reads megabytes of fetch buffers and creates millions of
short-lived objects. glibc keeps the freed heap pages for later, so a process that
restored a large state holds on to tens of megabytes it no longer uses;
``malloc_trim(0)`` returns them. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def release_free_memory() -> None:
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)
