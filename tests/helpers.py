"""Helpers several test modules share: the CLI run as a user runs it, a WARC writer."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

FIXTURES = Path(__file__).parent / "fixtures"


def storyline(*args: str, db: Path | None = None, env: dict | None = None, stdin: bytes | None = None, cwd=None):
    full_env = {k: v for k, v in os.environ.items() if k != "STORYLINE_DB"} | (env or {})
    cmd = [sys.executable, "-m", "storyline", *args] + (["--db", str(db)] if db else [])
    return subprocess.run(cmd, capture_output=True, input=stdin, env=full_env, cwd=cwd, timeout=300)


def write_warc(path: Path, records: list[tuple[str, bytes, str]]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.suffix == ".gz")
        for uri, payload, ctype in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=headers)
            )
