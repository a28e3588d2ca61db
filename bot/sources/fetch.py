"""HTTP and file reading with hard limits: timeouts, a size cap counted on decoded bytes, redirects."""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from bot.config import is_url

MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = "Chokepoint/0.1 (+https://github.com/chokepoint)"
_RAW_CHUNK = 64 * 1024
# Inflate at most this much per step, so a gzip bomb never sits decoded in memory at once.
_INFLATE_STEP = 256 * 1024


class FetchError(Exception):
    """A fetch that failed; the message is a sentence fit for an operator (no URL secrets)."""


@dataclass(frozen=True)
class FetchResult:
    """What a conditional GET produced: a body, or `not_modified` with no body."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    url: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def make_client(
    *, timeout: float = 20.0, connect_timeout: float = 5.0, concurrency: int = 32,
    user_agent: str = USER_AGENT, verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    """A client for fetches; redirects are followed by `fetch` so they can be capped."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        follow_redirects=False, verify=verify,
        # Only encodings we inflate ourselves, step by step (see _decoded).
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
    )


class ThreadClients:
    """One small HTTP client per fetching thread, all sharing one TLS context.

    One httpx pool shared by dozens of threads serialises every request and response on its
    lock, and its bookkeeping grows with the connections it keeps alive: 1,000 revalidations
    (304) took 2.5-3.9 s of CPU through one pool of 64 connections, 1.6 s through a pool per
    thread.
    """

    def __init__(self, *, timeout: float = 20.0, connect_timeout: float = 5.0,
                 user_agent: str = USER_AGENT) -> None:
        self._timeout, self._connect_timeout, self._user_agent = timeout, connect_timeout, user_agent
        self._tls: ssl.SSLContext | None = None  # built on first use: loading CAs costs ~20 ms
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()

    def get(self) -> httpx.Client:
        """This thread's client."""
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            with self._lock:
                if self._tls is None:
                    self._tls = httpx.create_ssl_context()
                # A thread fetches one feed at a time; a few idle connections cover feeds
                # that share a host.
                client = make_client(timeout=self._timeout, connect_timeout=self._connect_timeout,
                                     user_agent=self._user_agent, concurrency=4, verify=self._tls)
                self._clients.append(client)
            self._local.client = client
        return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _inflater(encoding: str) -> zlib._Decompress | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)  # zlib-wrapped, as RFC 9110 says
    raise FetchError(f"the server used a content encoding we do not accept ({encoding!r})")


def _decoded(raw: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """Decoded body pieces, each at most _INFLATE_STEP bytes when compressed."""
    inflater = _inflater(encoding)
    if inflater is None:
        yield from raw
        return
    try:
        for chunk in raw:
            data = chunk
            while data:
                piece = inflater.decompress(data, _INFLATE_STEP)
                if piece:
                    yield piece
                data = inflater.unconsumed_tail
        while piece := inflater.decompress(b"", _INFLATE_STEP):
            yield piece
    except zlib.error:
        raise FetchError(f"the {encoding}-compressed body is corrupt") from None


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float, timeout: float) -> bytes:
    length = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    # Decoded bytes are never fewer than the compressed ones, so this holds for gzip too.
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"the response is {_size(int(length))}, over the {_size(max_bytes)} limit")
    body = bytearray()
    too_slow = FetchError(f"the response took longer than {timeout:g} s")
    # httpx times each read, not the whole body: a server dripping a byte at a time never
    # trips it. Pieces come as they arrive (no 64 KiB batching), each checked against the
    # deadline, and a watchdog cuts the connection at the deadline during a blocked read.
    with _Watchdog(response, deadline) as watchdog:
        try:
            for piece in _decoded(response.iter_raw(), encoding):
                body += piece
                if len(body) > max_bytes:
                    raise FetchError(f"the response is larger than the {_size(max_bytes)} limit")
                if time.monotonic() > deadline:
                    raise too_slow
        except httpx.HTTPError:
            if watchdog.fired:
                raise too_slow from None
            raise
    return bytes(body)


class _Watchdog:
    """Shuts the response's socket down at `deadline`, ending any read blocked on it."""

    def __init__(self, response: httpx.Response, deadline: float) -> None:
        self._stream = response.extensions.get("network_stream")
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self.fired = False

    def _fire(self) -> None:
        sock = self._stream.get_extra_info("socket") if self._stream is not None else None
        if isinstance(sock, socket.socket):
            self.fired = True
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def fetch(
    client: httpx.Client, url: str, *, etag: str | None = None, last_modified: str | None = None,
    max_bytes: int = MAX_BYTES, timeout: float = 20.0, max_redirects: int = 5,
) -> FetchResult:
    """GET `url` (conditionally when validators are given); raise FetchError on any failure."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    try:
        request = client.build_request("GET", url, headers=headers)
        for _ in range(max_redirects + 1):
            if time.monotonic() > deadline:  # each hop has its own httpx timeouts
                raise FetchError(f"timed out following redirects (limit {timeout:g} s)")
            # No single wait may outlast what is left of the overall deadline.
            left = max(0.1, deadline - time.monotonic())
            request.extensions["timeout"] = _capped(client.timeout, left)
            response = client.send(request, stream=True)
            try:
                if response.next_request is None:
                    return _finish(response, max_bytes, deadline, timeout)
                request = response.next_request
            finally:
                response.close()
        raise FetchError(f"the server redirected more than {max_redirects} times (a redirect loop?)")
    except httpx.TimeoutException as exc:
        if isinstance(exc, httpx.ConnectTimeout):
            raise FetchError("timed out connecting to the server") from None
        raise FetchError(f"timed out waiting for the server (limit {timeout:g} s)") from None
    except httpx.ConnectError as exc:
        raise FetchError(f"could not connect to the server ({_plain(exc)})") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("the address is not an http(s) URL") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"the request failed: {_plain(exc)}") from None


def _capped(timeout: httpx.Timeout, left: float) -> dict[str, float | None]:
    return {name: left if value is None else min(value, left)
            for name, value in timeout.as_dict().items()}


def _finish(response: httpx.Response, max_bytes: int, deadline: float, timeout: float) -> FetchResult:
    headers = {k.lower(): v for k, v in response.headers.items()}
    if response.status_code == 304:
        # A 304 has no body, but until it is "read" the pool drops the connection on close:
        # every revalidation would then pay for a new TCP (and TLS) handshake.
        response.read()
        return FetchResult(304, b"", headers, str(response.url))
    if not 200 <= response.status_code < 300:  # a 3xx here had no usable Location
        phrase = response.reason_phrase or ""
        raise FetchError(f"the server answered HTTP {response.status_code} {phrase}".rstrip())
    body = _read_capped(response, max_bytes, deadline, timeout)
    return FetchResult(response.status_code, body, headers, str(response.url))


def _plain(exc: Exception) -> str:
    """An httpx error as text without the URL (which may carry a token in its query)."""
    text = str(exc) or type(exc).__name__
    return re.sub(r"https?://\S+", "<url>", text)


def source_name(location: str) -> str:
    """The file name a user recognises: `licences.csv` for a path or a URL."""
    if is_url(location):
        path = unquote(urlsplit(location).path)
        return path.rstrip("/").rsplit("/", 1)[-1] or urlsplit(location).hostname or location
    return Path(location.removeprefix("file://")).name or location


def read_source(
    location: str, *, timeout: float = 20.0, max_bytes: int = MAX_BYTES,
    client: httpx.Client | None = None,
) -> bytes:
    """The bytes of a file path (or file:// URL) or an http(s) URL; FetchError names the problem."""
    if not is_url(location):
        path = Path(location.removeprefix("file://"))
        try:
            with path.open("rb") as fh:
                data = fh.read(max_bytes + 1)
        except FileNotFoundError:
            raise FetchError(f"{path} does not exist") from None
        except IsADirectoryError:
            raise FetchError(f"{path} is a folder, not a file") from None
        except OSError as exc:
            raise FetchError(f"{path} cannot be read: {exc.strerror}") from None
        if len(data) > max_bytes:
            raise FetchError(f"{path} is larger than the {_size(max_bytes)} limit")
        return data
    own = client is None
    http = client or make_client(timeout=timeout)
    try:
        return fetch(http, location, max_bytes=max_bytes, timeout=timeout).body
    finally:
        if own:
            http.close()
