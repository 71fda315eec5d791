"""The network guard (kg.netguard): on for the whole test session and, by default, in `kg`.

Nothing here needs a network: 203.0.113.1 is TEST-NET-3 (never routed), example.com is never
resolved (the guard refuses the lookup), and the servers are listeners on loopback in this process.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from kg import netguard
from kg.netguard import NetworkDenied

TEST_NET = ("203.0.113.1", 9)


@pytest.fixture
def listener():
    """A TCP listener on a free loopback port (nothing allowed it): (socket, port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.settimeout(0.2)
        yield s, s.getsockname()[1]


def _accepted(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except (TimeoutError, socket.timeout):
        return False
    conn.close()
    return True


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the session -------------------------------------------------------------------------------
def test_the_guard_is_on_for_the_whole_session():
    assert netguard.installed() and netguard.enabled()
    with pytest.raises(NetworkDenied) as info:
        socket.create_connection(TEST_NET, timeout=5)
    assert info.value.event == "socket.connect" and "203.0.113.1:9" in str(info.value.message)


def test_raw_connect_connect_ex_and_datagrams_are_denied_before_sending():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(NetworkDenied):
            s.connect(TEST_NET)
        with pytest.raises(NetworkDenied):
            s.connect_ex(TEST_NET)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        with pytest.raises(NetworkDenied) as info:
            s.sendto(b"x", TEST_NET)
        assert info.value.event == "socket.sendto"
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        with pytest.raises(NetworkDenied):
            s.connect(("2001:db8::1", 9))  # documentation prefix


def test_a_raw_connect_by_name_is_denied():
    # CPython resolves the name of a raw `sock.connect((name, port))` before its audit event (a
    # documented limit of kg.netguard); create_connection, urllib, http.client and the neo4j
    # driver look the name up with getaddrinfo first, which the guard refuses
    with socket.socket() as s, pytest.raises(NetworkDenied) as info:
        s.connect(("localhost", _closed_port()))
    assert info.value.event == "socket.connect"
    with pytest.raises(NetworkDenied) as info:
        socket.create_connection(("example.com", 80), timeout=5)
    assert info.value.event == "socket.getaddrinfo" and "example.com:80" in info.value.message


@pytest.mark.parametrize("lookup", [
    lambda: socket.getaddrinfo("example.com", 80),
    lambda: socket.getaddrinfo("example.com", None),
    lambda: socket.gethostbyname("example.com"),
    lambda: socket.gethostbyname_ex("example.com"),
    lambda: socket.gethostbyaddr("203.0.113.1"),
    lambda: socket.getnameinfo(("203.0.113.1", 80), 0),
])
def test_name_lookups_are_denied(lookup):
    with pytest.raises(NetworkDenied):
        lookup()


def test_numeric_lookups_pass_and_make_no_query():
    # no DNS for an IP literal: the connect that follows is what the guard checks
    assert socket.getaddrinfo("203.0.113.1", 9, type=socket.SOCK_STREAM)[0][4][:2] == TEST_NET


@pytest.mark.parametrize("url", ["http://203.0.113.1:9/", "https://example.com/x", "ftp://example.com/f"])
def test_urlopen_is_denied_at_the_request(url):
    with pytest.raises(NetworkDenied) as info:
        urllib.request.urlopen(url, timeout=5)
    assert info.value.event == "urllib.Request"  # before any lookup or socket


def test_local_urls_and_unix_sockets_are_not_network(tmp_path):
    page = tmp_path / "x.txt"
    page.write_text("local", encoding="utf-8")
    with urllib.request.urlopen(page.as_uri()) as resp:
        assert resp.read() == b"local"
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
    a, b = socket.socketpair()
    a.close(), b.close()


_seen: list[tuple[str, tuple]] = []
_recording = []


def _recorder(event: str, args: tuple) -> None:
    """Audit hook after the guard's: sees every socket event the guard let through."""
    if _recording and event.startswith("socket."):
        _seen.append((event, args))


sys.addaudithook(_recorder)


def test_rdflib_remote_jsonld_context_is_denied_without_dns():
    import rdflib
    doc = '{"@context": "https://attacker.example/ctx.jsonld", "@id": "urn:x", "name": "y"}'
    _seen.clear()
    _recording.append(True)
    try:
        with pytest.raises(NetworkDenied) as info:
            rdflib.Graph().parse(data=doc, format="json-ld")
    finally:
        _recording.clear()
    # refused at urllib's request, which comes before the name lookup and the connect
    assert info.value.event == "urllib.Request" and "attacker.example" in info.value.message
    assert not [e for e in _seen if e[0] in ("socket.getaddrinfo", "socket.gethostbyname", "socket.connect")]


def test_a_denial_pickles_as_itself():
    import pickle
    denied = pickle.loads(pickle.dumps(NetworkDenied("socket.connect", "203.0.113.1:9")))
    assert isinstance(denied, NetworkDenied) and denied.destination == "203.0.113.1:9"
    assert denied.exit_code == 1 and "--allow-network" in denied.message


def test_rdflib_remote_document_is_denied():
    import rdflib
    with pytest.raises(NetworkDenied):
        rdflib.Graph().parse("http://203.0.113.1:9/data.ttl", format="turtle")


# -- allowances --------------------------------------------------------------------------------
def test_a_loopback_port_is_reached_only_while_allowed(listener):
    sock, port = listener
    with pytest.raises(NetworkDenied):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    with netguard.allowing(("127.0.0.1", port)):
        assert f"127.0.0.1:{port}" in netguard.allowed()
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        assert _accepted(sock)
        with pytest.raises(NetworkDenied):  # another port of the same host is not allowed
            socket.create_connection(("127.0.0.1", _closed_port()), timeout=2)
        with pytest.raises(NetworkDenied):  # nor another host
            socket.create_connection(TEST_NET, timeout=2)
    with pytest.raises(NetworkDenied):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    assert not _accepted(sock)


def test_allowances_are_counted(listener):
    _, port = listener
    first = netguard.allow(f"127.0.0.1:{port}")
    second = netguard.allow(f"http://127.0.0.1:{port}/query")
    first.release()
    first.release()  # twice: nothing more
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    second.release()
    with pytest.raises(NetworkDenied):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_an_allowed_address_is_left_to_the_network():
    # whatever the network does with TEST-NET (unreachable, a timeout, or a sandbox's interceptor
    # answering), the guard does not stand in the way
    with netguard.allowing("http://203.0.113.1:9/q"):
        try:
            socket.create_connection(TEST_NET, timeout=0.5).close()
        except NetworkDenied:
            raise
        except OSError:
            pass
    with pytest.raises(NetworkDenied):
        socket.create_connection(TEST_NET, timeout=0.5)


@pytest.mark.parametrize("target, host, port", [
    ("http://127.0.0.1:7878/query", "127.0.0.1", 7878),
    ("https://Example.COM/sparql", "example.com", 443),
    ("http://example.com/sparql", "example.com", 80),
    ("bolt://127.0.0.1", "127.0.0.1", 7687),
    ("neo4j+s://db.example:7688", "db.example", 7688),
    ("http://[::1]:7878/", "::1", 7878),
    ("127.0.0.1:7878", "127.0.0.1", 7878),
    ("[::1]:7878", "::1", 7878),
    (("::ffff:127.0.0.1", 7), "127.0.0.1", 7),
    ("localhost", "localhost", None),
])
def test_targets_parse_to_host_and_port(target, host, port):
    t = netguard.parse_target(target)
    assert (t.host, t.port) == (host, port)


def test_a_target_without_a_host_is_refused():
    for bad in ("http:///x", "", "bolt://:7687"):
        with pytest.raises(ValueError):
            netguard.parse_target(bad)


def test_a_denial_wrapped_by_a_library_is_still_found():
    try:
        try:
            socket.create_connection(TEST_NET, timeout=1)
        except NetworkDenied as exc:
            raise RuntimeError("the driver could not connect") from exc
    except RuntimeError as outer:
        assert isinstance(netguard.denial_in(outer), NetworkDenied)
    assert netguard.denial_in(ValueError("x")) is None


def test_the_sparql_http_engine_reaches_the_endpoint_it_was_given_only():
    from kg.engines.sparql_http import EndpointError, http_request
    port = _closed_port()
    # the named endpoint is allowed: the failure is the refused connection
    with pytest.raises(EndpointError) as info:
        http_request("POST", f"http://127.0.0.1:{port}/query", b"ASK {}", timeout=2)
    assert "denied" not in str(info.value) and "cannot reach" in str(info.value)
    assert f"127.0.0.1:{port}" not in netguard.allowed()  # and only for that request
    with pytest.raises(NetworkDenied):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_the_bolt_engine_allows_its_server_until_the_handle_closes():
    from kg.engines.bolt import BoltEngine, QueryError
    port = _closed_port()
    with pytest.raises(QueryError) as info:
        BoltEngine().open(f"bolt://127.0.0.1:{port}", connection_timeout=2)
    assert "network access denied" not in str(info.value)
    assert f"127.0.0.1:{port}" not in netguard.allowed()


# -- the command line --------------------------------------------------------------------------
def test_in_process_allow_network_is_for_that_command_only(cli):
    result = cli("--allow-network", "plugins", "--json")
    assert result.exit_code == 0
    assert netguard.enabled()


def test_help_tells_about_the_guard(cli):
    assert "--allow-network" in cli("--help").output


def _kg() -> str:
    exe = shutil.which("kg") or str(Path(sys.executable).parent / "kg")
    assert Path(exe).exists(), "the kg console script is installed by pip install -e ."
    return exe


def _run(args, env=None, timeout=120):
    return subprocess.run([_kg(), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_cli_query_reaches_the_endpoint_the_user_named():
    """`--endpoint` names the server: the guard lets the request go, and it fails as the network
    does (nothing listens there), not as a denial."""
    port = _closed_port()
    proc = _run(["query", "moves", "--engine", "sparql-http", "--endpoint", f"http://127.0.0.1:{port}/q"])
    assert proc.returncode == 1, proc.stderr
    assert "cannot reach the server" in proc.stderr and "denied" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_push_reaches_the_bolt_server_the_user_named(built_graphs):
    port = _closed_port()
    proc = _run(["push", f"bolt://127.0.0.1:{port}", "--graph", built_graphs["example"][1]])
    assert proc.returncode == 3 and f"push to bolt://127.0.0.1:{port} failed" in proc.stderr
    assert "denied" not in proc.stderr and "Traceback" not in proc.stderr


def test_cli_push_reaches_the_sparql_store_the_user_named(built_graphs):
    port = _closed_port()
    proc = _run(["push", f"http://127.0.0.1:{port}", "--graph", built_graphs["example"][1]])
    assert proc.returncode == 3, proc.stderr
    assert "denied" not in proc.stderr and "Traceback" not in proc.stderr


def _hostile_plugin(root: Path, port: int) -> dict:
    """A third-party loader (entry point `ripplekg.loader`) that fetches the images of an HTML
    article while loading it, and a plugin that connects as soon as it is imported."""
    (root / "rkg_fetching_loader.py").write_text(textwrap.dedent("""
        import re, urllib.request
        from kg.loading import LoadResult

        class FetchingLoader:
            name = "fetching-html"
            priority = 100

            def sniff(self, path, head):
                return path.suffix == ".html"

            def load(self, path):
                for url in re.findall(r'src="([^"]+)"', path.read_text()):
                    try:
                        urllib.request.urlopen(url, timeout=1).close()
                    except OSError:
                        pass
                return LoadResult()
        """), encoding="utf-8")
    (root / "rkg_phone_home.py").write_text(textwrap.dedent(f"""
        import socket
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
        except OSError:
            pass

        class Exporter:
            suffix = ".x"
        """), encoding="utf-8")
    dist = root / "rkg_hostile-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rkg-hostile\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[ripplekg.loader]\nfetching-html = rkg_fetching_loader:FetchingLoader\n\n"
        "[ripplekg.exporter]\nphone-home = rkg_phone_home:Exporter\n", encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}


def test_cli_denies_a_fetch_during_processing_and_allow_network_lets_it_through(tmp_path, listener):
    sock, port = listener
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    env = _hostile_plugin(plugin, port)
    article = tmp_path / "story.html"
    article.write_text(f'<html><body><p>Nvidia fell 17%.</p><img src="http://127.0.0.1:{port}/p.png">'
                       f"</body></html>", encoding="utf-8")

    proc = _run(["build", article, "--no-reference", "-o", tmp_path / "g"], env)
    assert proc.returncode == 1, proc.stderr
    assert f"network access denied: http://127.0.0.1:{port}/p.png" in proc.stderr
    assert "--allow-network" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "g").exists()
    assert not _accepted(sock)  # nothing reached the listener

    proc = _run(["plugins"], env)  # connects on import
    assert proc.returncode == 1 and f"network access denied: 127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr and not _accepted(sock)

    proc = _run(["--allow-network", "plugins"], env)
    assert proc.returncode == 0, proc.stderr
    assert "phone-home" in proc.stdout and _accepted(sock)  # the guard was off: it connected

    proc = _run(["--allow-network", "build", article, "--no-reference", "-o", tmp_path / "g2"], env)
    assert "denied" not in proc.stderr and _accepted(sock)
