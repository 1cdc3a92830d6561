"""The C heap's freed memory given back (registry.runtime.heap)."""

from __future__ import annotations

import platform

from registry.runtime.heap import give_back_freed_memory


def test_freed_memory_is_given_back_where_the_c_library_can() -> None:
    # glibc has malloc_trim (Debian, the CI machines); another C library answers False
    # and changes nothing.
    assert give_back_freed_memory() is (platform.libc_ver()[0] == "glibc")
