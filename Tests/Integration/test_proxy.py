"""The login proxy in real multi-server topologies on loopback: two backends (the built server under socat on
127.0.0.2 and 127.0.0.3, with different users' scripts), a front that routes each login by its passwd-file
(Dovecot's `proxy host= port= destuser= ssl= starttls= proxy_timeout= master= pass=` fields), small Python
backends for the failure modes, and HAProxy from Debian in front of the front tier with the PROXY protocol.

Everything is built once per module (certificates, servers) to keep the run short; each test checks what the
client sees, what the logs say and, where it matters, the scripts on the backends' disks."""

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

from conftest import CTL, IS_ROOT, SERVER, TEST_GID, TEST_UID, ServerEnv, free_port, hashed

SCRIPT = 'require ["fileinto"];\r\nif header :contains "subject" "[spam]" {\r\n  fileinto "Junk";\r\n}\r\n'
PASSWORDS = {"alice": "secret", "bob": "hunter2"}
PROXY_UID = 1600 if IS_ROOT else os.getuid()
PROXY_GID = 1600 if IS_ROOT else os.getgid()


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is not installed (tools/install-test-deps installs it)")
    return path


# --- certificates ---------------------------------------------------------------------------------------


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(directory: Path) -> dict:
    """A test CA and backend B's certificate signed by it (IP 127.0.0.3); a self-signed certificate for
    backend A that the CA does not vouch for; a self-signed certificate for the front (127.0.0.1)."""
    need("openssl")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]
    openssl("req", "-x509", *ec, "-subj", "/CN=managesieved test CA", "-keyout", "ca.key", "-out", "ca.pem",
            cwd=directory)
    openssl("req", *ec[:4], "-nodes", "-subj", "/CN=backend-b", "-keyout", "b.key", "-out", "b.csr", cwd=directory)
    (directory / "b.ext").write_text("subjectAltName=IP:127.0.0.3\n")
    openssl("x509", "-req", "-in", "b.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", "b.ext", "-out", "b.pem", cwd=directory)
    openssl("req", "-x509", *ec, "-subj", "/CN=backend-a", "-addext", "subjectAltName=IP:127.0.0.2",
            "-keyout", "a.key", "-out", "a.pem", cwd=directory)
    openssl("req", "-x509", *ec, "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", "front.key", "-out", "front.pem", cwd=directory)
    for key in directory.glob("*.key"):
        os.chmod(key, 0o600)
    return {name: directory / f"{name}" for name in
            ["ca.pem", "a.pem", "a.key", "b.pem", "b.key", "front.pem", "front.key"]}


# --- servers --------------------------------------------------------------------------------------------


def wait_listening(host: str, port: int):
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")


class SocatServer:
    """The built server under socat on `host`, one process per connection (inetd style)."""

    def __init__(self, env: ServerEnv, host: str, port: int | None = None):
        self.env = env
        self.host = host
        self.port = port or free_port()
        self.proc = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{self.port},bind={host},reuseaddr,fork", f"EXEC:{SERVER} -c {env.config}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening(host, self.port)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class FakeBackend:
    """A scripted backend on 127.0.0.1: `behaviour(conn)` serves each connection in its own thread."""

    def __init__(self, behaviour, accept=True):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        self.behaviour = behaviour
        if accept:
            threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.run, args=(conn,), daemon=True).start()

    def run(self, conn):
        with conn:
            conn.settimeout(10)
            try:
                self.behaviour(self, conn)
            except OSError:
                pass

    def close(self):
        self.sock.close()


def read_line(conn) -> bytes:
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        data += chunk
    return data


GREETING = b'"IMPLEMENTATION" "fake"\r\n"SASL" "PLAIN"\r\n"VERSION" "1.0"\r\nOK\r\n'


def garbage_backend(fake, conn):
    conn.sendall(b"HTTP/1.0 400 Bad Request\r\nServer: internal-lb-7\r\n\r\n")


def refusing_backend(fake, conn):
    conn.sendall(GREETING)
    fake.seen.append(read_line(conn))
    conn.sendall(b'NO "db3.internal.example: mailbox database offline"\r\n')
    read_line(conn)


def master_backend(fake, conn):
    """Accepts only the master user logging in for mary@backend, then serves one LISTSCRIPTS."""
    conn.sendall(GREETING)
    line = read_line(conn)
    fake.seen.append(line)
    m = re.match(rb'AUTHENTICATE "PLAIN" "([A-Za-z0-9+/=]+)"\r\n', line)
    if not m or base64.b64decode(m.group(1)) != b"mary@backend\0admin\0master-secret":
        conn.sendall(b'NO "wrong"\r\n')
        return
    conn.sendall(b"OK\r\n")
    while True:
        line = read_line(conn)
        if not line:
            return
        fake.seen.append(line)
        if line.upper().startswith(b"LOGOUT"):
            conn.sendall(b'OK "bye"\r\n')
            return
        conn.sendall(b'"served-by-master-backend" ACTIVE\r\nOK\r\n')


class Topology:
    def __init__(self, root: Path):
        self.root = root
        certs_dir = root / "certs"
        certs_dir.mkdir()
        os.chmod(certs_dir, 0o755)
        self.certs = make_certificates(certs_dir)
        c = self.certs
        # The backends take STARTTLS and implicit TLS on one port: the sniff, opt-in since implicit TLS has a
        # launcher option of its own.
        tls_backend = lambda cert, key: (f"ssl = yes\nssl_cert = {c[cert]}\nssl_key = {c[key]}\n"
                                         "disable_plaintext_auth = no\nssl_sniff_timeout = 200 ms")
        (root / "a").mkdir()
        (root / "b").mkdir()
        (root / "front").mkdir()
        (root / "trusted").mkdir()
        self.a_env = ServerEnv(root / "a", tls_backend("a.pem", "a.key"), users={"alice": PASSWORDS["alice"]})
        self.b_env = ServerEnv(root / "b", tls_backend("b.pem", "b.key"), users={"bob": PASSWORDS["bob"]})
        self.a = SocatServer(self.a_env, "127.0.0.2")
        self.b = SocatServer(self.b_env, "127.0.0.3")
        self.fakes = {
            "garbage": FakeBackend(garbage_backend),
            "refusing": FakeBackend(refusing_backend),
            "master": FakeBackend(master_backend),
            "silent": FakeBackend(None, accept=False),  # connects (backlog), never says a word
        }
        self.down_port = free_port()  # nobody listens there
        front_config = (f"ssl = yes\nssl_cert = {c['front.pem']}\nssl_key = {c['front.key']}\n"
                        f"ssl_client_ca_file = {c['ca.pem']}\ndisable_plaintext_auth = no\nproxy_user = sieveproxy\n"
                        "mail_debug = yes")
        self.front_env = ServerEnv(root / "front", front_config, users={})
        home = self.front_env.home("maybehere")
        home.mkdir()
        if IS_ROOT:
            os.chown(home, TEST_UID, TEST_GID)
        self.scram_hash = subprocess.run(
            [str(CTL), "hash-password", "--scheme", "SCRAM-SHA-256"], input=PASSWORDS["alice"] + "\n",
            capture_output=True, text=True, check=True).stdout.strip()
        self.front_port = free_port()
        self.front_env.passwd.write_text(self.front_passwd())
        self.front = SocatServer(self.front_env, "127.0.0.1", self.front_port)
        # A front that trusts PROXY headers from loopback (HAProxy runs there).
        self.trusted_env = ServerEnv(root / "trusted", "haproxy_trusted_networks = 127.0.0.0/8\nproxy_user = sieveproxy",
                                     users={})
        self.trusted_env.passwd.write_text(self.front_passwd())
        self.trusted = SocatServer(self.trusted_env, "127.0.0.1")

    def front_passwd(self) -> str:
        a, b, f = self.a.port, self.b.port, self.fakes
        alice, bob = hashed(PASSWORDS["alice"]), hashed(PASSWORDS["bob"])
        other = hashed("front-only")
        lines = [
            f"alice:{alice}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.2 port={a}",
            f"bob:{bob}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.3 port={b} starttls=yes",
            f"bobssl:{bob}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.3 port={b} ssl=yes destuser=bob",
            f"aliceany:{alice}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.2 port={a} starttls=any-cert destuser=alice",
            f"aliceverify:{alice}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.2 port={a} starttls=yes destuser=alice",
            f"alicewrong:{other}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.2 port={a} destuser=alice",
            f"mary:{{PLAIN}}mary-pw:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={f['master'].port} "
            "destuser=mary@backend master=admin pass=master-secret",
            f"down:{other}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={self.down_port} proxy_timeout=2",
            f"silent:{other}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={f['silent'].port} proxy_timeout=1",
            f"garbage:{other}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={f['garbage'].port}",
            f"refused:{other}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.1 port={f['refusing'].port}",
            f"unknownhost:{other}:{TEST_UID}:{TEST_GID}::::proxy host=no-such-backend.invalid",
            f"moved:{other}:{TEST_UID}:{TEST_GID}::::host=sieve2.example.net port=4190 referral=yes",
            f"carol:{{PLAIN}}{PASSWORDS['alice']}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.2 port={a} destuser=alice",
            f"dora:{self.scram_hash}:{TEST_UID}:{TEST_GID}::::proxy host=127.0.0.2 port={a} destuser=alice",
            f"maybeaway:{alice}:{TEST_UID}:{TEST_GID}::::proxy_maybe host=127.0.0.2 port={a} destuser=alice",
            f"maybehere:{alice}:{TEST_UID}:{TEST_GID}::{self.front_env.home('maybehere')}::"
            f"proxy_maybe host=127.0.0.1 port={self.front_port}",
            f"sieveproxy:*:{PROXY_UID}:{PROXY_GID}::/nonexistent::nologin",
        ]
        # Dovecot's layout: user:password:uid:gid:gecos:home:shell:extra_fields
        return "\n".join(lines) + "\n"

    def close(self):
        for server in [self.front, self.trusted, self.a, self.b]:
            server.close()
        for fake in self.fakes.values():
            fake.close()


@pytest.fixture(scope="module")
def topology():
    need("socat")
    root = Path(tempfile.mkdtemp(prefix="managesieved-test-proxy-"))
    os.chmod(root, 0o755)
    topo = Topology(root)
    yield topo
    topo.close()
    shutil.rmtree(root, ignore_errors=True)


# --- a raw client ---------------------------------------------------------------------------------------


class Raw:
    def __init__(self, port: int, host: str = "127.0.0.1", source: str | None = None):
        self.sock = socket.create_connection((host, port), timeout=10,
                                             source_address=(source, 0) if source else None)
        self.data = b""

    def until(self, pattern: bytes, timeout: float = 10) -> bytes:
        """Everything up to and including the first line matching `pattern` (a regex on whole lines)."""
        deadline = time.time() + timeout
        regex = re.compile(pattern, re.M)
        while True:
            m = regex.search(self.data)
            if m and self.data.find(b"\r\n", m.start()) >= 0:
                end = self.data.find(b"\r\n", m.start()) + 2
                out, self.data = self.data[:end], self.data[end:]
                return out
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} in {self.data!r}")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed before {pattern!r}; got {self.data!r}")
            self.data += chunk

    def send(self, text: str | bytes):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def greeting(self) -> bytes:
        return self.until(rb"^OK")

    def login(self, user: str, password: str) -> bytes:
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        self.send(f'AUTHENTICATE "PLAIN" "{token}"\r\n')
        return self.until(rb"^(OK|NO|BYE)")

    def close(self):
        self.sock.close()


def log_lines(env, pattern: str, wait: float = 5) -> list[str]:
    deadline = time.time() + wait
    while True:
        found = [l for l in env.log_text().splitlines() if re.search(pattern, l)]
        if found or time.time() > deadline:
            return found
        time.sleep(0.05)


def scripts_of(env, user) -> set[str]:
    storage = env.storage(user)
    return {p.name[:-len(".sieve")] for p in storage.iterdir() if p.name.endswith(".sieve")} if storage.exists() else set()


# --- routing and relaying -------------------------------------------------------------------------------


def test_each_user_reaches_their_own_backend(topology):
    """alice lives on backend A, bob on backend B (STARTTLS, certificate verified against ssl_client_ca_file)."""
    for user, env in [("alice", topology.a_env), ("bob", topology.b_env)]:
        c = Raw(topology.front.port)
        greeting = c.greeting()
        assert b'"SASL" "' in greeting and b"STARTTLS" in greeting
        assert c.login(user, PASSWORDS[user]) == b"OK\r\n"  # exactly what a direct login answers
        size = len(SCRIPT.encode())
        # A pipelined burst right after login is relayed in order.
        c.send(f'PUTSCRIPT "{user}-rules" {{{size}+}}\r\n{SCRIPT}\r\nSETACTIVE "{user}-rules"\r\nLISTSCRIPTS\r\n')
        assert c.until(rb"^OK") == b"OK\r\n"
        assert c.until(rb"^OK") == b"OK\r\n"
        assert c.until(rb"^OK") == f'"{user}-rules" ACTIVE\r\nOK\r\n'.encode()
        c.send(f'GETSCRIPT "{user}-rules"\r\n')
        assert c.until(rb"^OK").endswith(SCRIPT.encode() + b"\r\nOK\r\n")
        c.send("CAPABILITY\r\n")
        assert f'"OWNER" "{user}"'.encode() in c.until(rb"^OK")  # the backend's post-login capabilities
        c.send("LOGOUT\r\n")
        assert c.until(rb"^OK") == b"OK\r\n"
        c.close()
        assert f"{user}-rules" in scripts_of(env, user)
    assert scripts_of(topology.a_env, "alice") == {"alice-rules"}
    assert scripts_of(topology.b_env, "bob") == {"bob-rules"}
    assert log_lines(topology.front_env, r"relay start: user=alice backend=127\.0\.0\.2:\d+ as=alice tls=no")
    assert log_lines(topology.front_env, r"relay start: user=bob backend=127\.0\.0\.3:\d+ as=bob tls=TLSv1\.[23] ")
    ends = log_lines(topology.front_env, r"relay end: user=bob .* in=\d+ out=\d+ reason=")
    m = re.search(r"in=(\d+) out=(\d+)", ends[-1])
    assert int(m.group(1)) > size and int(m.group(2)) > size
    # The backends saw the front's connections and the users' own logins.
    assert log_lines(topology.b_env, r"TLS started: TLSv1\.[23]")
    assert log_lines(topology.b_env, r"login: user=bob method=PLAIN tls")
    if IS_ROOT:
        assert log_lines(topology.front_env, rf"dropped privileges to uid={PROXY_UID} gid={PROXY_GID}")


def test_implicit_tls_and_any_cert(topology):
    """ssl=yes: TLS from the first byte (the backend detects it on its STARTTLS port); starttls=any-cert
    accepts backend A's certificate, which the CA does not vouch for."""
    for user, password in [("bobssl", PASSWORDS["bob"]), ("aliceany", PASSWORDS["alice"])]:
        c = Raw(topology.front.port)
        c.greeting()
        assert c.login(user, password) == b"OK\r\n", user
        c.send("NOOP\r\nLOGOUT\r\n")
        assert c.until(rb"^OK") == b"OK\r\n"
        c.close()
    assert log_lines(topology.front_env, r"relay start: user=bobssl backend=127\.0\.0\.3:\d+ as=bob tls=TLSv1")
    assert log_lines(topology.front_env, r"relay start: user=aliceany backend=127\.0\.0\.2:\d+ as=alice tls=TLSv1")


def test_sieve_connect_with_starttls_on_both_legs(topology, tmp_path):
    client = need("sieve-connect")
    local = tmp_path / "sc.sieve"
    local.write_bytes(SCRIPT.encode())
    downloaded = tmp_path / "downloaded.sieve"
    commands = tmp_path / "commands"
    commands.write_text(f"put {local} via-sieve-connect\nlist\ndownload via-sieve-connect {downloaded}\n"
                        "delete via-sieve-connect\nlist\n")
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORDS["bob"] + "\n")
    with open(password_file) as password:
        result = subprocess.run(
            [client, "--server", "127.0.0.1", "--port", str(topology.front.port), "--user", "bob",
             "--tlscafile", str(topology.certs["front.pem"]), "--authmech", "PLAIN",
             "--passwordfd", str(password.fileno()), "--exec", str(commands)],
            pass_fds=(password.fileno(),), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"via-sieve-connect"' in result.stdout.split("\n")
    assert downloaded.read_bytes() == SCRIPT.encode()
    assert log_lines(topology.front_env, r"login: user=bob method=PLAIN tls proxy=127\.0\.0\.3:\d+ backend-tls")
    assert log_lines(topology.b_env, r"stored script 'via-sieve-connect'")
    assert log_lines(topology.b_env, r"deleted script 'via-sieve-connect'")


def test_sievelib_with_starttls(topology, monkeypatch):
    try:
        from sievelib.managesieve import Client
    except ImportError:
        pytest.fail("Python module sievelib is not installed (tools/install-test-deps installs it)")
    monkeypatch.setenv("SSL_CERT_FILE", str(topology.certs["front.pem"]))
    client = Client("127.0.0.1", topology.front.port)
    assert client.connect("alice", PASSWORDS["alice"], starttls=True, authmech="PLAIN")
    assert client.putscript("via-sievelib", SCRIPT)
    active, others = client.listscripts()
    assert "via-sievelib" in others
    assert client.getscript("via-sievelib") == SCRIPT.replace("\r\n", "\n").rstrip("\n")
    assert client.deletescript("via-sievelib")
    client.logout()
    assert log_lines(topology.a_env, r"deleted script 'via-sievelib'")


def test_master_user_login(topology):
    """master=/pass=: the front logs in as the master user for destuser; the client's password is not reused."""
    c = Raw(topology.front.port)
    c.greeting()
    assert c.login("mary", "mary-pw") == b"OK\r\n"
    c.send("LISTSCRIPTS\r\n")
    assert c.until(rb"^OK") == b'"served-by-master-backend" ACTIVE\r\nOK\r\n'
    c.send("LOGOUT\r\n")
    assert c.until(rb"^OK") == b'OK "bye"\r\n'
    c.close()
    seen = topology.fakes["master"].seen
    assert b"mary-pw" not in base64.b64decode(re.search(rb'"([^"]+)"\r\n$', seen[0]).group(1))


# --- failures: NO (TRYLATER), bounded, and the client may try again ------------------------------------


@pytest.mark.parametrize("user,limit,log", [
    ("down", 2.0, r"connect failed: 127\.0\.0\.1:\d+: connect: "),
    ("silent", 2.5, r"timed out waiting for the greeting"),
    ("garbage", 2.0, r"unexpected backend response: not a ManageSieve response: HTTP/1\.0 400"),
    ("refused", 2.0, r"backend refused the login: NO \"db3\.internal"),
    ("alicewrong", 2.0, r"backend refused the login"),
    ("aliceverify", 2.0, r"TLS with the backend failed: .*certificate"),
    ("unknownhost", 2.0, r"cannot resolve 'no-such-backend\.invalid'"),
])
def test_backend_failure_is_trylater(topology, user, limit, log):
    c = Raw(topology.front.port)
    c.greeting()
    password = "front-only" if user not in ("aliceverify",) else PASSWORDS["alice"]
    start = time.time()
    answer = c.login(user, password)
    elapsed = time.time() - start
    assert re.fullmatch(rb'NO \(TRYLATER\) "Backend server [a-z ,]+, try again later\."\r\n', answer), answer
    assert b"db3" not in answer and b"HTTP" not in answer
    assert elapsed < limit, f"{user}: {elapsed:.2f} s"
    # Still not authenticated, still served: a direct retry is answered again.
    c.send("NOOP\r\n")
    assert c.until(rb"^OK") == b"OK\r\n"
    c.send('LISTSCRIPTS\r\n')
    assert c.until(rb"^NO").startswith(b"NO")
    c.close()
    assert log_lines(topology.front_env, rf"proxy failed: user={user} backend=.*{log}"), topology.front_env.log_text()


def test_retry_after_failure_then_success(topology):
    c = Raw(topology.front.port)
    c.greeting()
    assert c.login("down", "front-only").startswith(b"NO (TRYLATER)")
    assert c.login("alice", PASSWORDS["alice"]) == b"OK\r\n"
    c.send("LOGOUT\r\n")
    assert c.until(rb"^OK") == b"OK\r\n"
    c.close()


def test_referral(topology):
    c = Raw(topology.front.port)
    c.greeting()
    assert c.login("moved", "front-only") == b'NO (REFERRAL "sieve://sieve2.example.net:4190") "Try sieve://sieve2.example.net:4190"\r\n'
    c.close()


# --- HAProxy in front of the front tier -----------------------------------------------------------------


@pytest.fixture(scope="module")
def haproxy(topology):
    binary = need("haproxy")
    v2, v1 = free_port(), free_port()
    config = topology.root / "haproxy.cfg"
    config.write_text(f"""global
    maxconn 100
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen sieve_v2
    bind 127.0.0.1:{v2}
    server front 127.0.0.1:{topology.trusted.port} send-proxy-v2
listen sieve_v1
    bind 127.0.0.1:{v1}
    server front 127.0.0.1:{topology.trusted.port} send-proxy
""")
    proc = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening("127.0.0.1", v2)
    yield {"v2": v2, "v1": v1}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_haproxy_passes_the_real_client_address(topology, haproxy, version):
    """The client connects from 127.0.0.5; HAProxy reaches the front from 127.0.0.1. The front trusts
    127.0.0.0/8, reads the PROXY header and logs the client's own address; the proxied login goes on to the
    backend as usual."""
    c = Raw(haproxy[version], source="127.0.0.5")
    local_port = c.sock.getsockname()[1]
    c.greeting()
    assert c.login("alice", PASSWORDS["alice"]) == b"OK\r\n"
    c.send("LISTSCRIPTS\r\nLOGOUT\r\n")
    c.until(rb"^OK")
    assert c.until(rb"^OK") == b"OK\r\n"
    c.close()
    lines = log_lines(topology.trusted_env, rf"peer=127\.0\.0\.5:{local_port}\b.*relay start: user=alice")
    assert lines, topology.trusted_env.log_text()
    assert log_lines(topology.trusted_env, rf"peer=127\.0\.0\.5:{local_port}\b.*session ended: user=alice")


def test_trusted_peer_without_proxy_header_is_refused(topology):
    c = Raw(topology.trusted.port)
    c.send("CAPABILITY\r\n")
    assert c.until(rb"^BYE") == b'BYE "PROXY protocol error."\r\n'
    c.close()
    assert log_lines(topology.trusted_env, r"sent no PROXY header")


def test_proxy_header_from_untrusted_peer_is_a_protocol_error(topology):
    """The ordinary front trusts nobody: a PROXY line is just a bad command, and the address is not taken."""
    c = Raw(topology.front.port)
    c.greeting()
    c.send("PROXY TCP4 192.0.2.99 127.0.0.1 40000 4190\r\n")
    answer = c.until(rb"^(NO|BYE)")
    assert answer.startswith(b"NO"), answer
    c.send("LOGOUT\r\n")
    c.until(rb"^OK")
    c.close()
    assert "192.0.2.99" not in topology.front_env.log_text()


# --- SCRAM at the front, proxy_maybe ----------------------------------------------------------------------


def scram_login(c: Raw, user: str, password: str) -> bytes:
    from scramp import ScramClient

    client = ScramClient(["SCRAM-SHA-256"], user, password)
    c.send(f'AUTHENTICATE "SCRAM-SHA-256" "{base64.b64encode(client.get_client_first().encode()).decode()}"\r\n')
    challenge = c.until(rb'^("|\{|NO|BYE)')
    if not challenge.startswith((b'"', b"{")):
        return challenge
    if challenge.startswith(b"{"):
        challenge = c.until(rb"^[A-Za-z0-9+/=]+")
    client.set_server_first(base64.b64decode(challenge.strip().strip(b'"')).decode())
    c.send(f'"{base64.b64encode(client.get_client_final().encode()).decode()}"\r\n')
    answer = c.until(rb"^(OK|NO|BYE)")
    m = re.match(rb'OK \(SASL "([^"]*)"\)', answer)
    if m:
        client.set_server_final(base64.b64decode(m.group(1)).decode())  # raises if the server is not genuine
    return answer


def test_scram_login_is_proxied_with_a_cleartext_stored_password(topology):
    try:
        import scramp  # noqa: F401
    except ImportError:
        pytest.fail("Python module scramp is not installed (tools/install-test-deps installs it)")
    c = Raw(topology.front.port)
    assert b"SCRAM-SHA-256" in c.greeting()
    answer = scram_login(c, "carol", PASSWORDS["alice"])
    assert answer.startswith(b'OK (SASL "'), answer  # the SCRAM server-final, checked by scramp
    c.send("LOGOUT\r\n")
    assert c.until(rb"^OK") == b"OK\r\n"
    c.close()
    assert log_lines(topology.front_env, r"login: user=carol method=SCRAM-SHA-256 proxy=127\.0\.0\.2")
    # Without the password in clear and without a master user there is nothing to log in to the backend with.
    c = Raw(topology.front.port)
    c.greeting()
    assert scram_login(c, "dora", PASSWORDS["alice"]) == b'NO "This account cannot log in with SCRAM-SHA-256, use PLAIN."\r\n'
    assert c.login("dora", PASSWORDS["alice"]) == b"OK\r\n"  # PLAIN works
    c.close()


def test_proxy_maybe(topology):
    """proxy_maybe relays only when host:port is not this server."""
    for user, expected in [("maybeaway", r"relay start: user=maybeaway backend=127\.0\.0\.2"),
                           ("maybehere", r"login: user=maybehere method=PLAIN$")]:
        c = Raw(topology.front.port)
        c.greeting()
        assert c.login(user, PASSWORDS["alice"]) == b"OK\r\n"
        c.send("LOGOUT\r\n")
        assert c.until(rb"^OK") == b"OK\r\n"
        c.close()
        assert log_lines(topology.front_env, expected), topology.front_env.log_text()


def test_large_script_through_tls_on_both_legs(topology):
    """300 KB each way through TLS on the client leg and the backend leg: many TLS records, some of them
    decrypted ahead (SSL_pending) on either side, must all be relayed."""
    import ssl

    body = "".join(f"# line {i:06d} {'x' * 40}\r\n" for i in range(6000)) + "keep;\r\n"
    size = len(body.encode())
    assert size > 300_000
    c = Raw(topology.front.port)
    c.greeting()
    c.send("STARTTLS\r\n")
    assert c.until(rb"^OK").startswith(b"OK")
    context = ssl.create_default_context(cafile=str(topology.certs["front.pem"]))
    c.sock = context.wrap_socket(c.sock, server_hostname="localhost")
    c.data = b""
    c.until(rb"^OK")
    assert c.login("bob", PASSWORDS["bob"]) == b"OK\r\n"
    c.send(f'PUTSCRIPT "big" {{{size}+}}\r\n{body}\r\nGETSCRIPT "big"\r\n')
    assert c.until(rb"^OK", timeout=20) == b"OK\r\n"
    got = c.until(rb"^OK", timeout=20)
    assert got == f"{{{size}}}\r\n{body}\r\nOK\r\n".encode()
    c.send('DELETESCRIPT "big"\r\nLOGOUT\r\n')
    assert c.until(rb"^OK") == b"OK\r\n"
    assert c.until(rb"^OK") == b"OK\r\n"
    c.close()
    assert log_lines(topology.b_env, rf"stored script 'big' \({size} bytes\)")
