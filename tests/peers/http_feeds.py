"""An HTTP server on loopback that serves feeds and misbehaves on request (slow, huge, loops)."""

from __future__ import annotations

import dataclasses
import threading
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from . import HttpPeer, LoopbackHTTPServer, QuietHandler

RSS = "application/rss+xml; charset=utf-8"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FeedRequest:
    """One request as the server saw it."""

    method: str
    path: str  # the path as sent, query string included
    headers: Mapping[str, str]  # names lower-cased

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("user-agent")


@dataclass(frozen=True)
class Route:
    """How one path answers. See FeedServer.add for the meaning of each field."""

    body: bytes = b""
    content_type: str = RSS
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    redirect_to: str | None = None
    redirect_status: int = 302
    huge: int | None = None
    gzip_bomb: int = 0
    chunked: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    drip: float = 0.0


class FeedServer(HttpPeer):
    """Serves feeds at `server.url(path)`; counts hits and records request headers."""

    def __init__(self, latency: float = 0.0) -> None:
        # Applied before every response, for benchmarks that want a realistic round trip.
        self.latency = latency
        self._server = LoopbackHTTPServer(_FeedHandler, self)
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self._hits: Counter[str] = Counter()
        self._bytes_sent: Counter[str] = Counter()
        self._requests: list[FeedRequest] = []



    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        content_type: str = RSS,
        status: int = 200,
        etag: str | None = None,
        last_modified: str | datetime | None = None,
        delay: float = 0.0,
        redirect_to: str | None = None,
        redirect_status: int = 302,
        huge: int | None = None,
        gzip_bomb: bool | int = False,
        body_html: str | None = None,
        chunked: bool = False,
        headers: Mapping[str, str] | None = None,
        drip: float = 0.0,
    ) -> str:
        """Serve `path` (replacing what was there) and return its URL.

        etag / last_modified: sent, and If-None-Match / If-Modified-Since answered with 304.
        delay: seconds before answering. status: answer that status with a short text body.
        redirect_to: answer `redirect_status` with Location: that path (a->b->a loops).
        huge: stream that many bytes of XML-ish junk (Content-Length sent unless chunked).
        gzip_bomb: True (1 GiB) or a size; a ~1000x smaller gzip body of spaces, sent with
        Content-Encoding: gzip. body_html: an HTML page (text/html) instead of `body`.
        chunked: send with Transfer-Encoding: chunked and no Content-Length.
        drip: send the body one byte at a time, this many seconds apart (a trickling server).
        """
        if body_html is not None:
            body, content_type = body_html, "text/html; charset=utf-8"
        if isinstance(last_modified, datetime):
            last_modified = format_datetime(last_modified, usegmt=True)
        if etag is not None and not etag.startswith(('"', 'W/"')):
            etag = f'"{etag}"'
        bomb = (1 << 30) if gzip_bomb is True else int(gzip_bomb)
        route = Route(
            body.encode() if isinstance(body, str) else body,
            content_type,
            status,
            etag,
            last_modified,
            delay,
            redirect_to,
            redirect_status,
            huge,
            bomb,
            chunked,
            tuple((headers or {}).items()),
            drip,
        )
        with self._lock:
            self._routes[_key(path)] = route
        return self.url(path)

    def set(self, path: str, **changes: Any) -> None:
        """Change some fields of a served path, e.g. set("/f", status=200) after an outage."""
        if "body" in changes and isinstance(changes["body"], str):
            changes["body"] = changes["body"].encode()
        with self._lock:
            self._routes[_key(path)] = dataclasses.replace(self._routes[_key(path)], **changes)

    def remove(self, path: str) -> None:
        """Stop serving `path` (it answers 404 from now on)."""
        with self._lock:
            self._routes.pop(_key(path), None)

    @property
    def hits(self) -> Counter[str]:
        """Requests per path (query string dropped), a copy; unknown paths read 0."""
        with self._lock:
            return Counter(self._hits)

    @property
    def bytes_sent(self) -> Counter[str]:
        """Body bytes written per path, to show a client stopped reading early."""
        with self._lock:
            return Counter(self._bytes_sent)

    @property
    def requests(self) -> list[FeedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[FeedRequest]:
        with self._lock:
            return [r for r in self._requests if _key(r.path) == _key(path)]

    def _arrive(self, request: FeedRequest) -> Route | None:
        with self._lock:
            self._requests.append(request)
            self._hits[_key(request.path)] += 1
            return self._routes.get(_key(request.path))

    def _sent(self, path: str, count: int) -> None:
        with self._lock:
            self._bytes_sent[_key(path)] += count


def _key(path: str) -> str:
    return "/" + urlsplit(path).path.lstrip("/")


def _not_modified(route: Route, headers: Mapping[str, str]) -> bool:
    """RFC 9110 13.1: If-None-Match wins over If-Modified-Since when both are sent."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if route.etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or route.etag.removeprefix("W/") in tags
    since = headers.get("if-modified-since")
    if since and route.last_modified:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


@lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """A gzip member that inflates to `size` spaces, built in ~0.3 s per GiB.

    After a full flush the deflate state is reset, so every 1 MiB block of spaces compresses
    to the same bytes: compress one and repeat it instead of compressing a GiB.
    """
    block = b" " * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(size, len(block))
    crc = 0
    for _ in range(whole):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(block[:rest], crc)
    tail = deflate.compress(block[:rest]) + deflate.flush(zlib.Z_FINISH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")
    return header + packed * whole + tail + trailer


@lru_cache(maxsize=1)
def _junk_chunk() -> bytes:
    head = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>huge</title>\n'
    item = b"<item><title>junk</title><description>" + b"x" * 200 + b"</description></item>\n"
    return (head + item * (_CHUNK // len(item) + 1))[:_CHUNK]


class _FeedHandler(QuietHandler):
    server: LoopbackHTTPServer

    def do_GET(self) -> None:
        feeds: FeedServer = self.server.peer
        headers = {k.lower(): v for k, v in self.headers.items()}
        route = feeds._arrive(FeedRequest(self.command, self.path, headers))
        pause = feeds.latency + (route.delay if route else 0.0)
        if pause and self.server.closing.wait(pause):
            return
        if route is None:
            self.send_bytes(404, b"not found\n", "text/plain")
        elif route.redirect_to is not None:
            self.send_bytes(
                route.redirect_status, b"", "text/plain", {"Location": feeds.url(route.redirect_to)}
            )
        elif route.status != 200:
            self.send_bytes(
                route.status,
                f"{route.status} {_phrase(route.status)}\n".encode(),
                "text/plain",
                dict(route.headers),
            )
        else:
            self._send_feed(feeds, route, headers)

    do_HEAD = do_GET

    def _send_feed(self, feeds: FeedServer, route: Route, headers: Mapping[str, str]) -> None:
        validators: dict[str, str] = {}
        if route.etag:
            validators["ETag"] = route.etag
        if route.last_modified:
            validators["Last-Modified"] = route.last_modified
        if _not_modified(route, headers):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        extra = {**validators, **dict(route.headers)}
        if route.gzip_bomb:
            body = gzip_bomb(route.gzip_bomb)
            extra["Content-Encoding"] = "gzip"
            self._stream(feeds, route, len(body), [body], extra)
        elif route.huge is not None:
            self._stream(feeds, route, route.huge, _junk(route.huge), extra)
        else:
            self._stream(feeds, route, len(route.body), [route.body], extra)

    def _stream(
        self,
        feeds: FeedServer,
        route: Route,
        length: int,
        chunks: Iterable[bytes],
        extra: dict[str, str],
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if route.drip:
            chunks = _dripped(chunks, route.drip, self.server.closing)
        for chunk in chunks:
            if route.chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunk else b"")
            else:
                self.wfile.write(chunk)
            feeds._sent(self.path, len(chunk))
            if route.drip:
                self.wfile.flush()
        if route.chunked:
            self.wfile.write(b"0\r\n\r\n")


def _dripped(chunks: Iterable[bytes], every: float, closing: threading.Event) -> Iterator[bytes]:
    for chunk in chunks:
        for i in range(len(chunk)):
            if closing.wait(every):
                return
            yield chunk[i : i + 1]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _junk(size: int) -> Iterator[bytes]:
    """`size` bytes of XML-ish junk, one 64 KiB chunk at a time, never all in memory."""
    chunk = _junk_chunk()
    whole, rest = divmod(size, len(chunk))
    for _ in range(whole):
        yield chunk
    if rest:
        yield chunk[:rest]
