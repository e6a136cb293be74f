"""A real HTTP server on 127.0.0.1 for the fetching tests and the watch benchmark.

Each path answers what `FeedServer.set` last put there: a body (gzipped when the client
asks and the route allows), a status, headers, an ETag and Last-Modified it honours with
304, a delay before answering, or a list of answers given in turn (a 429, then the page).
Every request is recorded (path, headers, time), so tests count what storyline asked for.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    gzip: bool = True
    chunked: bool = False  # no Content-Length: the client finds the size only by reading


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    method: str = "GET"
    body: bytes = b""


class FeedServer:
    def __init__(self, port: int = 0) -> None:
        self.routes: dict[str, list[Answer]] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stall

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                server._answer(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                server._answer(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str = b"", **kw: Any) -> None:
        """`path` answers this from now on (kw: the fields of Answer)."""
        body = body.encode("utf-8") if isinstance(body, str) else body
        with self.lock:
            self.routes[path] = [Answer(body, **kw)]

    def sequence(self, path: str, *answers: Answer) -> None:
        """`path` gives these answers in turn, then the last one again and again."""
        with self.lock:
            self.routes[path] = list(answers)

    def count(self, path: str) -> int:
        return sum(1 for h in self.hits if h.path == path)

    def counts(self) -> Counter[str]:
        return Counter(h.path for h in self.hits)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body_in = handler.rfile.read(length) if length else b""
        with self.lock:
            self.hits.append(Hit(handler.path, dict(handler.headers.items()), time.monotonic(), method, body_in))
            answers = self.routes.get(handler.path)
            answer = (answers.pop(0) if len(answers) > 1 else answers[0]) if answers else None
        if answer is None:
            answer = Answer(b"not here", status=404, content_type="text/plain")
        if answer.delay:
            time.sleep(answer.delay)
        if (answer.etag and handler.headers.get("If-None-Match") == answer.etag) or (
                answer.last_modified and handler.headers.get("If-Modified-Since") == answer.last_modified):
            handler.send_response(304)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = answer.body
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        if answer.gzip and "gzip" in handler.headers.get("Accept-Encoding", "") and body:
            body = gzip.compress(body)
            handler.send_header("Content-Encoding", "gzip")
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        if answer.etag:
            handler.send_header("ETag", answer.etag)
        if answer.last_modified:
            handler.send_header("Last-Modified", answer.last_modified)
        try:
            if answer.chunked:
                handler.send_header("Transfer-Encoding", "chunked")
                handler.end_headers()
                for start in range(0, len(body), 16384):
                    piece = body[start:start + 16384]
                    handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                handler.wfile.write(b"0\r\n\r\n")
            else:
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (a size limit): nothing more to say


def http_date(offset_s: float = 0) -> str:
    return formatdate(time.time() + offset_s, usegmt=True)


def rss(title: str, items: list[dict[str, str]], extra: str = "") -> str:
    """An RSS 2.0 feed; each item: guid, link, title, description, pubDate, content (optional)."""
    out = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           f'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>{title}</title>{extra}']
    for item in items:
        out.append("<item>")
        for key in ("guid", "link", "title", "description", "pubDate"):
            if key in item:
                out.append(f"<{key}>{_escape(item[key])}</{key}>")
        if "content" in item:
            out.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "".join(out)


def atom(title: str, entries: list[dict[str, str]]) -> str:
    out = [f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
           '<id>urn:test:feed</id><updated>2024-05-01T10:00:00Z</updated>']
    for e in entries:
        out.append(f"<entry><id>{_escape(e['id'])}</id><title>{_escape(e['title'])}</title>"
                   f'<link href="{_escape(e["link"])}"/><updated>{e.get("updated", "2024-05-01T10:00:00Z")}</updated>'
                   f"<summary>{_escape(e.get('summary', ''))}</summary></entry>")
    out.append("</feed>")
    return "".join(out)


def page(title: str, paragraphs: list[str], canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{_escape(p)}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{_escape(title)}</title>{link}</head>"
            f"<body><nav>Home | World | Sport</nav><article><h1>{_escape(title)}</h1>{body}</article>"
            "<footer>Copyright the test outlet</footer></body></html>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
