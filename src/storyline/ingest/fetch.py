"""Polite HTTP: what `storyline watch` and `storyline fetch` send and how they wait.

One `Fetcher` per command. It asks one host for one thing at a time, waits `delay` seconds
between two requests to a host (longer when the host's robots.txt asks so with Crawl-delay),
reads robots.txt once per host before fetching a page, backs off on 429 and 5xx (honouring
Retry-After), gives up after a timeout or a redirect limit, and reads at most `max_bytes`
(decompressed, streamed: a larger body is cut off, never held whole). Every failure is a
`FetchError` with a short reason and a detail saying what happened.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from storyline import __version__

log = logging.getLogger(__name__)

# 429 and these are worth asking again after a while; every other 4xx/5xx is final.
RETRY_STATUSES = {429, 500, 502, 503, 504}
ROBOTS_TTL_S = 24 * 3600


class FetchError(Exception):
    """A request that gave no usable response. `retryable`: it may work later (a timeout, a
    5xx, a 429); `retry_after`: seconds the server asked to wait, when it said."""

    def __init__(self, reason: str, detail: str, *, status: int | None = None, retryable: bool = False,
                 retry_after: float | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.status = reason, detail, status
        self.retryable, self.retry_after = retryable, retry_after


@dataclass(frozen=True)
class FetchPolicy:
    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = 20.0  # seconds to connect, or between two reads; a whole response gets 4x
    max_bytes: int = 10 * 1024 * 1024
    contact: str = ""
    max_redirects: int = 5
    retries: int = 2  # further tries after a 429 or 5xx
    max_retry_wait: float = 60.0  # a longer Retry-After is not waited for: the fetch fails, retryable

    @property
    def user_agent(self) -> str:
        contact = f"+{self.contact}" if self.contact else "no contact set: STORYLINE_CONTACT"
        return f"storyline/{__version__} ({contact})"


@dataclass
class Response:
    url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    seconds: float

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, val = part.partition("=")
            if key.strip().lower() == "charset" and val.strip():
                return val.strip().strip('"\'')
        return None


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0
    robots: RobotFileParser | None = None
    robots_until: float = 0.0
    robots_note: str = ""
    crawl_delay: float = 0.0


class Fetcher:
    def __init__(self, policy: FetchPolicy | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, transport: httpx.BaseTransport | None = None):
        self.policy = policy or FetchPolicy()
        self.sleep, self.clock = sleep, clock
        self.requests = 0  # sent, retries and robots.txt included
        self.waited = 0.0  # seconds slept for politeness and backoff
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self.client = httpx.Client(
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.policy.timeout), follow_redirects=True,
            max_redirects=self.policy.max_redirects, transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- robots.txt -----------------------------------------------------------------------

    def allowed(self, url: str) -> tuple[bool, str]:
        """(may storyline fetch `url`, why not). robots.txt is read once a day per host: a
        missing one (4xx) allows everything; one that cannot be read (5xx, a timeout) allows
        nothing for now (RFC 9309)."""
        parts = urlsplit(url)
        host = self._host(parts.netloc)
        if host.robots is None or self.clock() >= host.robots_until:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = RobotFileParser(robots_url)
            try:
                response = self._get(robots_url, {}, host)
                if response.status >= 400:
                    parser.allow_all, host.robots_note = True, ""
                else:
                    parser.parse(response.body.decode("utf-8", "replace").splitlines())
                    host.robots_note = ""
            except FetchError as exc:
                if exc.status is not None and 400 <= exc.status < 500:
                    parser.allow_all, host.robots_note = True, ""
                else:
                    parser.disallow_all, host.robots_note = True, f"robots.txt unreadable ({exc})"
            host.robots, host.robots_until = parser, self.clock() + ROBOTS_TTL_S
            delay = parser.crawl_delay("storyline")
            host.crawl_delay = float(delay) if delay else 0.0
        if host.robots.can_fetch("storyline", url):
            return True, ""
        return False, host.robots_note or "robots.txt disallows it for storyline"

    # -- requests -------------------------------------------------------------------------

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET `url` politely; a 304 is a response, every other failure a FetchError."""
        host = self._host(urlsplit(url).netloc)
        return self._get(url, headers or {}, host)

    def _host(self, netloc: str) -> _Host:
        with self._hosts_lock:
            return self._hosts.setdefault(netloc.lower(), _Host())

    def _get(self, url: str, headers: dict[str, str], host: _Host) -> Response:
        attempt = 0
        while True:
            with host.lock:  # one request at a time per host
                self._wait_turn(host)
                try:
                    response = self._once(url, headers)
                finally:
                    host.next_at = self.clock() + max(self.policy.delay, host.crawl_delay)
            if response.status < 400 or response.status == 304:
                return response
            retryable = response.status in RETRY_STATUSES
            after = _retry_after(response.headers.get("retry-after"))
            if retryable and attempt < self.policy.retries:
                wait = after if after is not None else 2.0 ** attempt
                if wait <= self.policy.max_retry_wait:
                    attempt += 1
                    log.info("%s: HTTP %s, asking again in %.1fs", url, response.status, wait)
                    # The wait holds the host: nothing else is sent to it meanwhile.
                    host.next_at = max(host.next_at, self.clock() + wait)
                    continue
            detail = f"HTTP {response.status} {httpx.codes.get_reason_phrase(response.status)}".strip()
            if after is not None:
                detail += f", Retry-After {after:g}s"
            if attempt:
                detail += f" (after {attempt + 1} tries)"
            raise FetchError("http error", detail, status=response.status, retryable=retryable, retry_after=after)

    def _wait_turn(self, host: _Host) -> None:
        wait = host.next_at - self.clock()
        if wait > 0:
            self.waited += wait
            self.sleep(wait)

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        started = self.clock()
        deadline = started + 4 * self.policy.timeout
        limit = self.policy.max_bytes
        self.requests += 1
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit and "content-encoding" not in r.headers:
                    raise FetchError("too large", f"{declared} bytes announced; the limit is {limit}"
                                     " (STORYLINE_FETCH_MAX_BYTES)", status=r.status_code)
                chunks, size = [], 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError("too large", f"over {limit} bytes (STORYLINE_FETCH_MAX_BYTES);"
                                         " the rest was not read", status=r.status_code)
                    if self.clock() > deadline:
                        raise FetchError("timeout", f"the response took over {4 * self.policy.timeout:g}s",
                                         retryable=True)
                    chunks.append(chunk)
                return Response(str(r.url), r.status_code, r.headers, b"".join(chunks), self.clock() - started)
        except httpx.TooManyRedirects:
            raise FetchError("redirect loop", f"more than {self.policy.max_redirects} redirects") from None
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", f"no answer within {self.policy.timeout:g}s ({type(exc).__name__})",
                             retryable=True) from None
        except httpx.DecodingError as exc:
            raise FetchError("undecodable", f"the compressed body is broken ({exc})") from None
        except httpx.InvalidURL as exc:
            raise FetchError("bad url", str(exc)) from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError("bad url", f"{exc}: storyline fetches http:// and https://") from None
        except httpx.TransportError as exc:
            raise FetchError("unreachable", f"{type(exc).__name__}: {exc}", retryable=True) from None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
