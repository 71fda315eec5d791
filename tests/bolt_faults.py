"""A Bolt proxy on loopback that makes one chosen batch of a push fail, for the retry tests.

    from bolt_faults import Fault, fault_proxy
    fault = Fault("transient", batch=7, times=2)
    with fault_proxy(server.uri, fault) as uri:   # bolt://127.0.0.1:PORT, in front of the server
        push_driver(graph, neo4j.GraphDatabase.driver(uri))
    assert fault.attempts == 3                     # the batch was sent three times

Why a proxy and not a mock: the fault must reach the neo4j driver the way a real one does (a
FAILURE message off the wire, a socket that dies, a COMMIT that gets no answer), so that what is
tested is the driver's own retry (`execute_query` runs a managed transaction and retries what
the driver classes as retryable) and the push's retry on top of it, not a stand-in for either.

The proxy reads the Bolt framing both ways (a 20-byte handshake from the client, a 4-byte answer
from the server: FalkorDB picks Bolt 5.7, not the driver's manifest offer, whose longer answer this
proxy does not read; then messages made of chunks `size:u16 data` ended by an empty chunk) and knows
which reply answers which request (one summary per request, in order; RECORDs before the
summary of a PULL). A batch is a RUN whose query starts with `prefix` (`UNWIND $rows` by default;
`CREATE INDEX` picks the push's DDL); the N-th one is the target, and every RUN with the same bytes
(the driver re-sending it) is an attempt. In every mode the server runs the batch (FalkorDB cannot
roll it back), so a retry re-applies it:

- "transient": the server's replies to RUN and PULL are replaced by FAILURE
  (Neo.TransientError.Transaction.DeadlockDetected) and IGNORED, as a deadlock would give;
- "drop": the connection is cut once the server has answered the PULL, before the client sees it
  (a leader switch, a dropped connection: ServiceUnavailable / SessionExpired);
- "commit": the connection is cut when the client sends COMMIT (the driver raises
  IncompleteCommit: it cannot know whether the transaction was committed, and does not retry).

`times` attempts fail (None: every attempt). The listener is on 127.0.0.1 and registered with the
tests' network guard while it runs.
"""
from __future__ import annotations

import contextlib
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterator
from urllib.parse import urlsplit

from kg import netguard

RUN, PULL, BEGIN, COMMIT, ROLLBACK, RESET, GOODBYE = 0x10, 0x3F, 0x11, 0x12, 0x13, 0x0F, 0x02
RECORD = 0x71
DEADLOCK = "Neo.TransientError.Transaction.DeadlockDetected"


@dataclass
class Fault:
    """Which batch fails, how and how often; `attempts` counts the times it was sent."""

    mode: str                 # "transient", "drop" or "commit"
    batch: int                # the N-th batch statement (from 1) of what goes through the proxy
    times: int | None = 1     # failed attempts (None: all)
    prefix: str = "UNWIND $rows"  # how a batch statement starts
    attempts: int = 0         # times the target batch reached the proxy
    injected: int = 0         # faults injected
    seen: int = 0             # distinct batch statements seen
    target: bytes | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def on_batch(self, body: bytes) -> bool:
        """Count a batch RUN; True when this attempt must fail."""
        with self.lock:
            if body != self.target:
                self.seen += 1
                if self.seen != self.batch:
                    return False
                self.target = body
            self.attempts += 1
            hit = self.times is None or self.attempts <= self.times
            self.injected += hit
            return hit


# -- PackStream, just what the proxy reads and writes ----------------------------------------
def _pack_str(text: str) -> bytes:
    data = text.encode("utf-8")
    if len(data) < 16:
        return bytes([0x80 + len(data)]) + data
    if len(data) < 256:
        return b"\xd0" + bytes([len(data)]) + data
    return b"\xd1" + len(data).to_bytes(2, "big") + data


def _message(signature: int, fields: dict[str, str] | None = None) -> bytes:
    """One chunked Bolt message with a single map field of strings (or none)."""
    body = bytes([0xB0 + (fields is not None), signature])
    if fields is not None:
        body += bytes([0xA0 + len(fields)])
        body += b"".join(_pack_str(k) + _pack_str(v) for k, v in fields.items())
    return len(body).to_bytes(2, "big") + body + b"\x00\x00"


FAILURE = _message(0x7F, {"neo4j_code": DEADLOCK, "gql_status": "50N05",
                          "message": "injected deadlock (tests/bolt_faults.py)",
                          "description": "error: general processing exception - deadlock detected"})
IGNORED = _message(0x7E)


def _query(body: bytes) -> str:
    """The query text of a RUN message body (`B3 10 <string> ...`)."""
    marker, pos = body[2], 3
    if 0x80 <= marker <= 0x8F:
        size = marker & 0x0F
    else:
        width = {0xD0: 1, 0xD1: 2, 0xD2: 4}[marker]
        size, pos = int.from_bytes(body[3:3 + width], "big"), 3 + width
    return body[pos:pos + size].decode("utf-8", "replace")


class _Framing:
    """Cuts a byte stream into (raw bytes, body) Bolt messages after a fixed-size handshake."""

    def __init__(self, handshake: int) -> None:
        self.handshake, self.buf = handshake, b""

    def feed(self, data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        """The handshake bytes in `data`, and every message it completes."""
        head = data[:self.handshake]
        self.handshake -= len(head)
        self.buf += data[len(head):]
        out = []
        while end := self._end():
            raw, self.buf = self.buf[:end], self.buf[end:]
            out.append((raw, self._body(raw)))
        return head, out

    def _end(self) -> int:
        """Length of the first complete message in the buffer (0: none yet)."""
        pos = 0
        while len(self.buf) >= pos + 2:
            size = int.from_bytes(self.buf[pos:pos + 2], "big")
            pos += 2 + size
            if size == 0:
                return pos
        return 0

    @staticmethod
    def _body(raw: bytes) -> bytes:
        pos, body = 0, b""
        while pos < len(raw):
            size = int.from_bytes(raw[pos:pos + 2], "big")
            body += raw[pos + 2:pos + 2 + size]
            pos += 2 + size
        return body


class _Link:
    """One client connection and its upstream: rewrites replies as the fault says."""

    def __init__(self, client: socket.socket, upstream: socket.socket, fault: Fault) -> None:
        self.client, self.upstream, self.fault = client, upstream, fault
        self.pending: deque[str] = deque()  # per request: pass, fail, ignore or cut
        self.lock = threading.Lock()
        self.next_pull = "pass"
        self.armed = False                  # commit mode: the target ran in this transaction

    def cut(self) -> None:
        for s in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def requests(self) -> None:
        """Client to server."""
        self._pump(self.client, self.upstream, _Framing(20),
                   lambda raw, body: None if self._request(body) == "cut" else raw)

    def _pump(self, source: socket.socket, sink: socket.socket, framing: "_Framing",
              each: Callable[[bytes, bytes], bytes | None]) -> None:
        """Forward messages from `source` to `sink`, each as `each` rewrites it (None: cut the
        connection there, after what came before it)."""
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                head, messages = framing.feed(data)
                out = bytearray(head)
                for raw, body in messages:
                    rewritten = each(raw, body)
                    if rewritten is None:
                        sink.sendall(out)
                        return self.cut()
                    out += rewritten
                sink.sendall(out)
        self.cut()

    def _request(self, body: bytes) -> str:
        if not body:
            return "pass"  # NOOP
        signature = body[1]
        if signature == COMMIT and self.armed:
            return "cut"
        with self.lock:
            action = "pass"
            if signature == PULL:
                action, self.next_pull = self.next_pull, "pass"
            elif signature == RUN and _query(body).startswith(self.fault.prefix) \
                    and self.fault.on_batch(body):
                mode = self.fault.mode
                action = "fail" if mode == "transient" else "pass"
                self.next_pull = {"transient": "ignore", "drop": "cut"}.get(mode, "pass")
                self.armed = mode == "commit"
            elif signature in (BEGIN, RESET, ROLLBACK):
                self.armed = False
            if signature != GOODBYE:  # the one request without a reply
                self.pending.append(action)
        return "pass"

    def replies(self) -> None:
        """Server to client."""
        self._pump(self.upstream, self.client, _Framing(4), self._reply)

    def _reply(self, raw: bytes, body: bytes) -> bytes | None:
        """What the client gets for one server message (None: cut the connection)."""
        if not body:
            return raw
        with self.lock:
            action = self.pending[0] if body[1] == RECORD else self.pending.popleft()
        if action == "pass":
            return raw
        if body[1] == RECORD:
            return b""
        if action == "cut":
            return None
        return FAILURE if action == "fail" else IGNORED


@contextlib.contextmanager
def fault_proxy(server_uri: str, fault: Fault) -> Iterator[str]:
    """A proxy to the Bolt server at `server_uri` with `fault`; yields its bolt:// URI."""
    target = urlsplit(server_uri)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    allowance = netguard.allow(("127.0.0.1", port))
    links: list[_Link] = []

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
                upstream = socket.create_connection((target.hostname, target.port), timeout=5)
            except OSError:
                return
            upstream.settimeout(None)
            link = _Link(client, upstream, fault)
            links.append(link)
            for pump in (link.requests, link.replies):
                threading.Thread(target=pump, daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"bolt://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(5)
        for link in links:
            link.cut()
        allowance.release()
