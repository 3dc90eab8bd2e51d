"""The login proxy's security edges: a login can never loop (this server's own address refused, a hop count
carried to backends that offer XCLIENT), the backend leg runs as proxy_user only (connect, TLS, replies), and
the CA that verifies backends (ssl_client_ca_file) is not the one that lets client certificates log in
(ssl_ca). Real servers under socat on loopback, real OpenSSL-made certificates."""

import base64
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import (IS_ROOT, PKI, SERVER, TEST_GID, TEST_UID, ServerEnv, Wire, capability, free_port, hashed,
                      test_pki, wait_for_log)

PROXY_UID = 1600 if IS_ROOT else os.getuid()
PROXY_GID = 1600 if IS_ROOT else os.getgid()
PASSWORD = "loop-pw"


def need(program: str):
    if shutil.which(program) is None:
        pytest.fail(f"{program} is not installed (.ci/run installs it)")


class Listener:
    """socat on `host:port` exec'ing the server for `env`, one process per connection (inetd style)."""

    def __init__(self, env: ServerEnv, host: str, port: int):
        need("socat")
        self.port = port
        self.proc = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{port},bind={host},reuseaddr,fork", f"EXEC:{SERVER} -c {env.config}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection((host, port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nothing listens on {host}:{port}")

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def server_processes(config: Path) -> int:
    """How many managesieved processes serve `config` right now."""
    count = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0] == str(SERVER).encode() and str(config).encode() in argv:
            count += 1
    return count


def login(port: int, user: str, password: str, host: str = "127.0.0.1", timeout: float = 10) -> tuple[bytes, float]:
    """A PLAIN login; the answer line and how long it took."""
    wire = Wire.__new__(Wire)
    wire.sock = socket.create_connection((host, port), timeout=timeout)
    wire.buffer = b""
    login.client_port = wire.sock.getsockname()[1]
    wire.response()
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    start = time.time()
    try:
        answer = wire.command(f'AUTHENTICATE "PLAIN" "{token}"\r\n'.encode())[-1]
    except socket.timeout:
        answer = b"(no answer)"
    elapsed = time.time() - start
    wire.close()
    return answer, elapsed


def proxy_env(root: Path, name: str, entries: list[str], extra: str = "") -> ServerEnv:
    (root / name).mkdir()
    env = ServerEnv(root / name, f"proxy_user = sieveproxy\ndisable_plaintext_auth = no\n{extra}", users={})
    env.passwd.write_text("\n".join(entries + [f"sieveproxy:*:{PROXY_UID}:{PROXY_GID}::/nonexistent::nologin"]) + "\n")
    return env


@pytest.fixture
def root():
    directory = Path(tempfile.mkdtemp(prefix="managesieved-test-proxysec-"))
    os.chmod(directory, 0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


# --- proxy loops ----------------------------------------------------------------------------------------


def watch_processes(config: Path, seconds: float) -> int:
    """The most processes serving `config` seen at once during `seconds`."""
    peak = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        peak = max(peak, server_processes(config))
        time.sleep(0.02)
    return peak


def test_a_passwd_entry_pointing_at_this_server_gives_trylater_without_a_process_chain(root):
    port = free_port()
    pw = hashed(PASSWORD)
    env = proxy_env(root, "self", [
        f"loop:{pw}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={port} proxy_timeout=5",
    ])
    server = Listener(env, "127.0.0.1", port)
    try:
        peak = [0]
        watcher = threading.Thread(target=lambda: peak.__setitem__(0, watch_processes(env.config, 4)))
        watcher.start()
        answer, elapsed = login(port, "loop", PASSWORD, timeout=8)
        watcher.join()
        assert answer == b'NO (TRYLATER) "Proxy loop detected, try again later."', answer
        assert elapsed < 2, f"{elapsed:.2f} s"
        # The client's own session is the only one: the server never connected to itself.
        assert peak[0] <= 1, f"{peak[0]} server processes at once"
        wait_for_log(env, rf"proxy failed: user=loop backend=127\.0\.0\.1:{port}: proxy loop: "
                          rf"127\.0\.0\.1:{port} is this server's own address and port")
    finally:
        server.close()
    time.sleep(0.3)
    assert server_processes(env.config) == 0


def test_a_loop_between_two_servers_ends_by_its_hop_count(root):
    """A sends pingpong to B, B sends it back to A: each hop tells the next one (XCLIENT TTL=, offered to
    peers in login_trusted_networks) how many hops are left, and the last one refuses."""
    port_a, port_b = free_port(), free_port()
    pw = hashed(PASSWORD)
    trusted = "login_trusted_networks = 127.0.0.0/8"
    env_a = proxy_env(root, "a", [f"pingpong:{pw}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.5 port={port_b}"], trusted)
    env_b = proxy_env(root, "b", [f"pingpong:{pw}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.4 port={port_a}"], trusted)
    a = Listener(env_a, "127.0.0.4", port_a)
    b = Listener(env_b, "127.0.0.5", port_b)
    try:
        peak = [0]

        def watch():
            deadline = time.time() + 6
            while time.time() < deadline:
                peak[0] = max(peak[0], server_processes(env_a.config) + server_processes(env_b.config))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        answer, elapsed = login(port_a, "pingpong", PASSWORD, host="127.0.0.4", timeout=10)
        watcher.join()
        assert re.fullmatch(rb'NO \(TRYLATER\) "[A-Za-z ,]+, try again later\."', answer), answer
        assert elapsed < 5, f"{elapsed:.2f} s"
        # Client -> A (5) -> B (4) -> A (3) -> B (2) -> A (1, refused): five processes at most.
        assert peak[0] <= 5, f"{peak[0]} server processes at once"
        log = wait_for_log(env_a, r"proxy loop: the login arrived with TTL 1")
        assert "proxy loop" not in env_b.log_text()
        # The hops name the real client, not the proxy in front of them.
        assert re.search(rf"xclient: client is 127\.0\.0\.1:{login.client_port} \(via 127\.0\.0\.1:\d+\)", log), log
    finally:
        a.close()
        b.close()
    time.sleep(0.3)
    assert server_processes(env_a.config) + server_processes(env_b.config) == 0


def test_xclient_from_an_untrusted_peer_is_refused(root):
    env = proxy_env(root, "untrusted", [], "login_trusted_networks = 192.0.2.0/24")
    server = Listener(env, "127.0.0.1", free_port())
    try:
        wire = Wire(server.port)
        caps = wire.response()
        assert capability(caps, "XCLIENT") is None
        assert wire.command(b"XCLIENT ADDR=192.0.2.9 TTL=200\r\n") == [
            b'NO "XCLIENT is accepted only from trusted networks."']
        wire.close()
    finally:
        server.close()


# --- the backend leg runs as proxy_user ------------------------------------------------------------------


def socket_owner(port: int) -> int | None:
    """The uid that created the loopback TCP socket bound to local port `port` (/proc/net/tcp's uid column)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port:
                return int(fields[7])
    return None


@pytest.mark.skipif(not IS_ROOT, reason="the privilege drop happens only when the server runs as root")
def test_the_backend_sees_a_connection_made_by_proxy_user(root):
    seen: dict = {}
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    backend_port = listener.getsockname()[1]

    def backend():
        conn, peer = listener.accept()
        with conn:
            seen["uid"] = socket_owner(peer[1])
            conn.sendall(b'"IMPLEMENTATION" "fake"\r\n"SASL" "PLAIN"\r\n"VERSION" "1.0"\r\nOK\r\n')
            conn.recv(4096)
            conn.sendall(b'NO "no"\r\n')

    thread = threading.Thread(target=backend, daemon=True)
    thread.start()
    pw = hashed(PASSWORD)
    env = proxy_env(root, "uid", [f"far:{pw}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={backend_port}"])
    server = Listener(env, "127.0.0.1", free_port())
    try:
        answer, _ = login(server.port, "far", PASSWORD)
        thread.join(5)
        assert answer.startswith(b"NO (TRYLATER)"), answer
        assert seen.get("uid") == PROXY_UID, f"backend connection made by uid {seen.get('uid')}"
    finally:
        server.close()
        listener.close()


# --- one CA per trust ------------------------------------------------------------------------------------


def starttls_caps(port: int, cert) -> tuple[Wire | None, list[bytes]]:
    """STARTTLS presenting `cert`; (None, []) when the server refuses the handshake."""
    import ssl
    context = ssl.create_default_context(cafile=str(test_pki().ca))
    context.load_cert_chain(str(cert[0]), str(cert[1]))
    wire = Wire(port)
    wire.response()
    try:
        return wire, wire.starttls(context)
    except (ssl.SSLError, ConnectionError, AssertionError):
        wire.close()
        return None, []


def test_a_certificate_signed_by_the_backend_ca_cannot_log_in(root):
    """ssl_ca (client certificates, EXTERNAL) and ssl_client_ca_file (the proxy's backends) are separate:
    the front verifies its backend against the backend CA, and a client certificate from that CA is no login."""
    backend_dir = root / "backend-pki"
    backend_dir.mkdir()
    os.chmod(backend_dir, 0o755)
    backend_pki = PKI(backend_dir)
    client_pki = test_pki()
    # A real backend whose certificate (CN localhost, IP 127.0.0.1) only the backend CA vouches for.
    (root / "backend").mkdir()
    backend_env = ServerEnv(root / "backend", f"ssl = yes\nssl_cert = {backend_pki.server_cert}\n"
                                              f"ssl_key = {backend_pki.server_key}\ndisable_plaintext_auth = no\n"
                                              "ssl_sniff_timeout = 200 ms",
                            users={"far": PASSWORD})
    backend = Listener(backend_env, "127.0.0.1", free_port())
    # The front's copy of the backend CA is readable by root only: it must be read before the drop.
    ca_copy = root / "backend-ca.pem"
    ca_copy.write_bytes(backend_pki.ca.read_bytes())
    os.chmod(ca_copy, 0o600)
    pw = hashed(PASSWORD)
    (root / "front").mkdir()
    front_env = ServerEnv(root / "front", tls=True, users={"alice": PASSWORD}, extra_config=(
        f"ssl_ca = {client_pki.ca}\nssl_client_ca_file = {ca_copy}\nssl_verify_client_cert = yes\n"
        "proxy_user = sieveproxy\ndisable_plaintext_auth = no"))
    front_env.passwd.write_text(front_env.passwd.read_text() + "\n".join([
        f"far:{pw}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={backend.port} ssl=yes",
        f"sieveproxy:*:{PROXY_UID}:{PROXY_GID}::/nonexistent::nologin"]) + "\n")
    front = Listener(front_env, "127.0.0.1", free_port())
    try:
        # The backend is verified against ssl_client_ca_file.
        answer, _ = login(front.port, "far", PASSWORD)
        assert answer == b"OK", (answer, front_env.log_text())
        # A client certificate from the backend CA: no EXTERNAL login.
        wire, caps = starttls_caps(front.port, backend_pki.client("alice"))
        if wire is not None:
            mechanisms = (capability(caps, "SASL") or "").split()
            if "EXTERNAL" in mechanisms:
                assert wire.command(b'AUTHENTICATE "EXTERNAL" ""\r\n')[-1].startswith(b"NO")
            wire.close()
        assert "method=EXTERNAL" not in front_env.log_text()
        # The same name from the client CA logs in.
        wire, caps = starttls_caps(front.port, client_pki.client("alice"))
        assert wire is not None
        assert "EXTERNAL" in (capability(caps, "SASL") or "").split()
        assert wire.command(b'AUTHENTICATE "EXTERNAL" ""\r\n') == [b"OK"]
        wire.close()
    finally:
        front.close()
        backend.close()
