"""A small writer of Compound File Binary files ([MS-CFB] version 3), the container of
``vbaProject.bin``.

Only what a VBA project needs: storages and streams given as ``{"VBA/dir": bytes, …}``, written
in one pass (512-byte sectors; streams under 4,096 bytes in the mini stream). The result is read
back in the tests by olefile/olevba and by LibreOffice, two independent readers.
"""
from __future__ import annotations

import struct

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ENTRIES_PER_SECTOR = SECTOR // 128
IDS_PER_SECTOR = SECTOR // 4


class _Node:
    def __init__(self, name: str, kind: int, data: bytes | None = None):
        if len(name) > 31:
            raise ValueError(f"CFB names are at most 31 characters: {name!r}")
        self.name, self.kind, self.data = name, kind, data      # kind 1 storage, 2 stream, 5 root
        self.children: dict[str, _Node] = {}
        self.sid = 0
        self.start, self.size = END, 0
        self.left = self.right = self.child = NOSTREAM


def _order(name: str) -> tuple:
    """[MS-CFB] 2.6.4: shorter names first, then by upper-case UTF-16 code units."""
    return (len(name), name.upper())


def _tree(nodes: list[_Node]) -> int:
    """A balanced binary search tree of siblings; returns the root's sid (all nodes black)."""
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    root = nodes[mid]
    root.left, root.right = _tree(nodes[:mid]), _tree(nodes[mid + 1:])
    return root.sid


def _chain(first: int, count: int) -> list[int]:
    """FAT entries of a run of consecutive sectors starting at ``first``."""
    return [first + i + 1 for i in range(count - 1)] + [END] if count else []


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\0" * (-len(data) % size)


def _sectors(n_bytes: int, size: int = SECTOR) -> int:
    return -(-n_bytes // size)


def write(streams: dict[str, bytes]) -> bytes:
    """The compound file holding ``streams`` (paths with '/' between storage names)."""
    root = _Node("Root Entry", 5)
    for path, data in streams.items():
        *storages, leaf = path.split("/")
        node = root
        for name in storages:
            node = node.children.setdefault(name, _Node(name, 1))
        node.children[leaf] = _Node(leaf, 2, bytes(data))

    entries: list[_Node] = []

    def number(node: _Node) -> None:
        node.sid = len(entries)
        entries.append(node)
        for child in node.children.values():
            number(child)
    number(root)
    for node in entries:
        if node.children:
            node.child = _tree(sorted(node.children.values(), key=lambda n: _order(n.name)))

    small = [n for n in entries if n.kind == 2 and len(n.data) < CUTOFF]
    large = [n for n in entries if n.kind == 2 and len(n.data) >= CUTOFF]
    ministream, minifat = b"", []
    for n in small:
        n.size = len(n.data)
        if n.size:
            count = _sectors(n.size, MINI)
            n.start = len(ministream) // MINI
            minifat += _chain(n.start, count)
            ministream += _pad(n.data, MINI)

    n_dir = _sectors(len(entries) * 128)
    n_minifat = _sectors(len(minifat) * 4)
    n_mini = _sectors(len(ministream))
    n_large = sum(_sectors(len(n.data)) for n in large)
    n_fat = 1
    while n_fat * IDS_PER_SECTOR < n_fat + n_dir + n_minifat + n_mini + n_large:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("stream too large for a header-only FAT (about 7 MB)")

    fat = [FATSECT] * n_fat
    dir_start = len(fat)
    fat += _chain(dir_start, n_dir)
    minifat_start = len(fat) if n_minifat else END
    fat += _chain(len(fat), n_minifat)
    root.start = len(fat) if n_mini else END
    root.size = len(ministream)
    fat += _chain(len(fat), n_mini)
    body = [_pad(ministream, SECTOR)]
    for n in large:
        n.start, n.size = len(fat), len(n.data)
        fat += _chain(len(fat), _sectors(n.size))
        body.append(_pad(n.data, SECTOR))
    fat += [FREE] * (n_fat * IDS_PER_SECTOR - len(fat))

    directory = b"".join(_entry(n) for n in entries)
    directory += _empty_entry() * (n_dir * ENTRIES_PER_SECTOR - len(entries))
    difat = list(range(n_fat)) + [FREE] * (109 - n_fat)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", SIGNATURE, b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
                         0, n_fat, dir_start, 0, CUTOFF, minifat_start, n_minifat, END, 0)
    header += struct.pack("<109I", *difat)
    assert len(header) == SECTOR
    return b"".join([header, struct.pack(f"<{len(fat)}I", *fat), directory,
                     _pad(struct.pack(f"<{len(minifat)}I", *minifat), SECTOR) if minifat else b"", *body])


def _entry(n: _Node) -> bytes:
    name = (n.name + "\0").encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), n.kind, 1, n.left, n.right, n.child,
                       b"\0" * 16, 0, 0, 0, n.start if n.kind != 1 else 0, n.size)


def _empty_entry() -> bytes:
    return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)
