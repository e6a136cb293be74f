"""The limits ingest holds to, in one place (README, Limits): memory is bounded by them,
never by the input. Every limit is checked while reading, in a streaming way: no whole line,
record or decompressed member is read into memory before its size is known to be allowed."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

# One article (a file, a JSONL line, a record, a WARC payload, a feed entry) larger than this
# is not an article (a dump, a book, a binary): rejected.
MAX_ITEM_BYTES = 5 * 1024 * 1024

# Inputs parsed whole (a .json file, an RSS/Atom feed): their parsers hold several times this.
MAX_WHOLE_FILE_BYTES = 50 * 1024 * 1024

# A gzipped input (.jsonl.gz, .csv.gz, .json.gz, .warc.gz) may decompress to at most this...
MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024 * 1024
# ...and, past its first GZIP_RATIO_FREE bytes, to at most GZIP_RATIO times the compressed
# bytes read so far: text compresses 3-10 times, a gzip bomb (zeros) 1000 times.
GZIP_RATIO = 100
GZIP_RATIO_FREE = 16 * 1024 * 1024


class LimitExceeded(Exception):
    """An input goes over one of the limits above; the message says which."""


class _Counting(io.RawIOBase):
    def __init__(self, raw: io.BufferedIOBase):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer) or 0
        self.count += n
        return n


class _BoundedGzip(io.RawIOBase):
    """A gzip file's decompressed bytes, raising LimitExceeded past the size or ratio limit."""

    def __init__(self, path: Path, limit: int, ratio: int, free: int):
        self._file = path.open("rb")
        self._compressed = _Counting(self._file)  # type: ignore[arg-type]
        self._gzip = gzip.GzipFile(fileobj=self._compressed, mode="rb")  # type: ignore[arg-type]
        self.limit, self.ratio, self.free, self.out = limit, ratio, free, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self._gzip.readinto(buffer)
        self.out += n
        if self.out > self.limit:
            raise LimitExceeded(f"decompresses to over {self.limit} bytes (the limit for one gzipped input)")
        if self.out > self.free and self.out > self.ratio * max(1, self._compressed.count):
            raise LimitExceeded(
                f"decompresses to over {self.ratio} times its compressed size ({self.out} bytes from"
                f" {self._compressed.count}): a gzip bomb, not text; what was read before it is kept")
        return n

    def close(self) -> None:
        try:
            self._gzip.close()
        finally:
            self._file.close()
            super().close()


def open_bounded(path: Path, limit: int = MAX_DECOMPRESSED_BYTES, ratio: int = GZIP_RATIO,
                 free: int = GZIP_RATIO_FREE) -> io.BufferedReader:
    """`path` for reading bytes: gunzipped within the limits when its name ends in .gz."""
    if path.name.lower().endswith(".gz"):
        return io.BufferedReader(_BoundedGzip(path, limit, ratio, free), buffer_size=1 << 16)
    return path.open("rb")


def bounded_lines(stream, limit: int = MAX_ITEM_BYTES):
    """The lines of a byte stream as (line, size): `line` is None for a line over `limit`
    bytes, which is skipped without being held (`size` then counts its bytes)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit:
            yield line, len(line)
            continue
        size = len(line)  # over the limit: the rest of the line is read in pieces and dropped
        while not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            if not line:
                break
            size += len(line)
        yield None, size
