"""A local news site to try `storyline watch` on: the five bundled seed articles as pages
behind two feeds, on 127.0.0.1 (README, Follow feeds).

    python -m benchmarks.feed_demo_server [--port 8765]     # then: kill -USR1 PID for news

It serves /wire.xml (RSS, with an ETag: three seed articles and one under /private/, which
its robots.txt disallows), /gulf.atom (Atom, with Last-Modified: one seed article) and
/index.html (a home page, not a feed). On SIGUSR1 the wire feed gets a fourth seed article
(a reprint of its first story) and a new ETag; the Atom feed stays as it was.
"""

from __future__ import annotations

import argparse
import html
import os
import signal
import time

from tests.ingest.feed_server import FeedServer, atom, http_date, rss

from storyline.seeds import seed_files


def _page(n: int) -> str:
    text = seed_files()[n].read_text(encoding="utf-8")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body><article>{body}</article></body></html>"


TITLES = {0: "Iraqi paramilitaries clash with Daesh on the Syrian border",
          1: "Shia militia in border clashes with DAESH",
          2: "Syrian, Iraqi forces near Islamic State redoubt",
          3: "Iraq forces, ISIS fighters clash near Syrian border",
          4: "Daesh evacuate their last stronghold"}


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.feed_demo_server")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = FeedServer(port=args.port)
    server.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    for n in range(5):
        server.set(f"/news/{n}", _page(n))
    server.set("/index.html", "<!doctype html><html><head><link rel='alternate' type='application/rss+xml'"
               " href='/wire.xml'></head><body>Home</body></html>")

    def wire(seeds: list[int], etag: str) -> None:
        items = [{"guid": f"wire-{n}", "link": server.url(f"/news/{n}"), "title": TITLES[n],
                  "description": "A teaser.", "pubDate": f"Sat, 0{4 + n % 2} Nov 2017 10:00:00 +0000"} for n in seeds]
        items.append({"guid": "wire-private", "link": server.url("/private/draft"), "title": "Draft"})
        server.set("/wire.xml", rss("Border Wire", items), content_type="application/rss+xml", etag=etag)

    wire([0, 1, 2], '"w1"')
    server.set("/gulf.atom", atom("Gulf Atom", [{"id": "tag:gulf,4", "title": TITLES[4],
                                                "link": server.url("/news/4"), "updated": "2017-11-09T08:00:00Z"}]),
               content_type="application/atom+xml", last_modified=http_date(-86400))
    signal.signal(signal.SIGUSR1, lambda *_: wire([3, 0, 1, 2], '"w2"'))
    print(f"serving {server.base}/wire.xml, {server.base}/gulf.atom and {server.base}/index.html"
          f" (pid {os.getpid()}; kill -USR1 {os.getpid()} adds an entry)", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
