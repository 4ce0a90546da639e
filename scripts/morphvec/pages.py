"""Resident pages of memory-mapped matrices: no read-ahead for scattered rows, and dropping the
pages a library's turn made resident, so that a step holds one large map at a time (Linux only).
Used where several vector libraries read one model in turn (:mod:`morphvec.formats`,
:mod:`morphvec.parity`)."""

import ctypes
import mmap
import sys


def advise_random_access(address: int, nbytes: int) -> None:
    """``MADV_RANDOM`` on a memory-mapped matrix that is read at scattered rows (unknown words'
    n-grams), so that the kernel's read-ahead does not make most of it resident: on full NSMC,
    1,000 unknown words made 460 MB of gensim's 800 MB n-gram matrix resident, 250 MB with it.
    (On the torch export, which safetensors maps privately, it measured no difference.)  Linux only."""
    if not sys.platform.startswith("linux") or nbytes <= 0:
        return
    start = address - address % mmap.PAGESIZE
    ctypes.CDLL(None).madvise(ctypes.c_void_p(start), ctypes.c_size_t(address + nbytes - start), mmap.MADV_RANDOM)


def _read_only_file_mapping(start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies in file mappings that cannot be written (no ``w`` in their
    ``/proc/self/maps`` permissions), which therefore hold no copied pages: a read of 1 ms, where
    ``smaps`` takes 6-20 ms with torch loaded."""
    covered = start
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:
            fields = line.split()
            low, high = (int(bound, 16) for bound in fields[0].split("-"))
            if low < end and high > start:
                if "w" in fields[1] or len(fields) < 6 or fields[4] == "0" or low > covered:
                    return False
                covered = max(covered, high)
    return covered >= end


def _clean_file_mapping(start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies in file mappings none of whose pages were copied (written)."""
    if _read_only_file_mapping(start, end):
        return True
    covered = start
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as smaps:
        region, clean = None, True
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):  # a mapping's header line
                low, high = (int(bound, 16) for bound in fields[0].split("-"))
                region = (low, high) if low < end and high > start else None
                if region is not None:
                    clean = clean and len(fields) >= 6 and fields[4] != "0"  # an inode: file-backed
                    covered = max(covered, high) if low <= covered else covered
            elif region is not None and fields[0] == "Anonymous:":
                clean = clean and fields[1] == "0"
    return clean and covered >= end


def drop_resident_pages(array) -> bool:
    """Take a read-only memory-mapped matrix's pages out of this process's resident set.

    Scattered reads of a large map (the n-gram rows of unknown words) make far more of it resident
    than they read: every fault also maps up to 15 neighbouring pages already in the page cache
    (the kernel's fault-around, which ``MADV_RANDOM`` does not turn off), so 1,000 unknown words
    made 600 MB of an 800 MB matrix resident.  ``MADV_DONTNEED`` unmaps them; they stay in the page
    cache, and a later read maps them again.  Anything but a clean file mapping is left alone: on
    anonymous memory, or on pages a private mapping has copied, it would throw data away (a
    read-only map, like that of the extracted arrays, is checked cheaply enough to drop after
    every few words).  Linux only; returns whether the pages were dropped.
    """
    address, nbytes = array.__array_interface__["data"][0], array.nbytes
    if not sys.platform.startswith("linux") or nbytes <= 0 or not _clean_file_mapping(address, address + nbytes):
        return False
    start = address - address % mmap.PAGESIZE
    ctypes.CDLL(None).madvise(ctypes.c_void_p(start), ctypes.c_size_t(address + nbytes - start), mmap.MADV_DONTNEED)
    return True
