"""Shared fixtures for the integration tests: they run the BUILT managesieved binary exactly as
inetd would (over pipes or through socat on loopback) with a temporary config, passwd-file and homes."""

import atexit
import base64
import contextlib
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("MANAGESIEVED_BIN_DIR", ROOT / ".build" / "debug"))
SERVER = BIN_DIR / "managesieved"
CTL = BIN_DIR / "managesievectl"

IS_ROOT = os.geteuid() == 0
# As root the server drops privileges to the users' uids; otherwise only our own uid can log in.
TEST_UID = 1500 if IS_ROOT else os.getuid()
TEST_GID = 1500 if IS_ROOT else os.getgid()

USERS = {"alice": "secret", "bob": "hunter2"}


def crypt_hash(password: str, scheme: str = "SHA512-CRYPT") -> str:
    out = subprocess.run(
        [str(CTL), "hash-password", "--scheme", scheme],
        input=password + "\n", capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


_HASHES: dict[tuple[str, str], str] = {}


def hashed(password: str, scheme: str = "SHA512-CRYPT") -> str:
    """A passwd-file password field made by `managesievectl hash-password` (cached per password and scheme);
    scheme PLAIN gives `{PLAIN}password`."""
    if scheme == "PLAIN":
        return "{PLAIN}" + password
    if (password, scheme) not in _HASHES:
        _HASHES[(password, scheme)] = crypt_hash(password, scheme)
    return _HASHES[(password, scheme)]


class PKI:
    """A throw-away CA, a server certificate for localhost/127.0.0.1 and client certificates (CN = user name),
    made with the openssl CLI at test time (EC P-256 keys, SHA-256 signatures); plus a second key that
    matches nothing, for the mismatched-key tests."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.ca_key, self.ca = directory / "ca.key", directory / "ca.pem"
        self.server_key, self.server_cert = directory / "server.key", directory / "server.pem"
        self.other_key = directory / "other.key"
        self._openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", self.ca_key, "-out", self.ca, "-days", "2", "-subj", "/CN=managesieved test CA",
                      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
        self._leaf("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                   "extendedKeyUsage=serverAuth")
        self._openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", self.other_key)
        self.clients: dict[str, tuple[Path, Path]] = {}

    def _openssl(self, *args):
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)

    def _leaf(self, name: str, subject: str, *extensions: str) -> tuple[Path, Path]:
        key, csr, cert = self.dir / f"{name}.key", self.dir / f"{name}.csr", self.dir / f"{name}.pem"
        self._openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", key, "-out", csr, "-subj", subject)
        ext = self.dir / f"{name}.ext"
        ext.write_text("\n".join(extensions) + "\n")
        self._openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key, "-CAcreateserial",
                      "-out", cert, "-days", "2", "-sha256", "-extfile", ext)
        os.chmod(key, 0o600)
        return cert, key

    def client(self, user: str) -> tuple[Path, Path]:
        """(certificate, key) of a client certificate whose commonName is `user`."""
        if user not in self.clients:
            self.clients[user] = self._leaf(f"client-{user}", f"/CN={user}", "extendedKeyUsage=clientAuth")
        return self.clients[user]


_PKI: PKI | None = None


def test_pki() -> PKI:
    """The session's PKI, made on first use."""
    global _PKI
    if _PKI is None:
        directory = Path(tempfile.mkdtemp(prefix="managesieved-pki-"))
        os.chmod(directory, 0o755)
        atexit.register(shutil.rmtree, directory, True)
        _PKI = PKI(directory)
    return _PKI


test_pki.__test__ = False  # not a test, despite its name


class ServerEnv:
    """A private server installation in a temporary directory."""

    def __init__(self, root: Path, extra_config: str = "", users=None, schemes=None, tls: bool = False):
        """`schemes` maps a user to the password scheme of their passwd-file entry (default SHA512-CRYPT);
        `tls` adds ssl = yes with the test PKI's server certificate (`extra_config` may override any key)."""
        self.root = root
        self.tls = tls
        os.chmod(root, 0o755)
        self.homes = root / "home"
        self.homes.mkdir()
        os.chmod(self.homes, 0o755)
        self.passwd = root / "passwd"
        self.config = root / "managesieved.conf"
        self.log = root / "managesieved.log"
        lines = []
        for user, password in (users or USERS).items():
            home = self.homes / user
            home.mkdir()
            if IS_ROOT:
                os.chown(home, TEST_UID, TEST_GID)
            field = hashed(password, (schemes or {}).get(user, "SHA512-CRYPT"))
            lines.append(f"{user}:{field}:{TEST_UID}:{TEST_GID}::{home}::")
        self.passwd.write_text("\n".join(lines) + "\n")
        self.write_config(extra_config)

    def write_config(self, extra: str = ""):
        base = {
            "passwd_file": str(self.passwd),
            "log_path": str(self.log),
            "auth_failure_delay": "0",
            "first_valid_uid": "100" if IS_ROOT else "0",
            # Never the system's /var/lib/managesieved: the server makes this file on first use.
            "auth_scram_secret_file": str(self.root / "scram-secret"),
        }
        if self.tls:
            pki = test_pki()
            base.update({"ssl": "yes", "ssl_cert": str(pki.server_cert), "ssl_key": str(pki.server_key)})
        overridden = {l.split("=", 1)[0].strip() for l in extra.splitlines() if "=" in l}
        text = "".join(f"{k} = {v}\n" for k, v in base.items() if k not in overridden)
        self.config.write_text(text + extra + ("\n" if extra else ""))

    def home(self, user: str) -> Path:
        return self.homes / user

    def storage(self, user: str) -> Path:
        return self.home(user) / "sieve"

    def run_pipes(self, data: bytes, timeout: float = 20, env=None) -> bytes:
        """One whole session over pipes: all client bytes, then EOF; returns everything the server wrote."""
        proc = subprocess.run(
            [str(SERVER), "-c", str(self.config)], input=data, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=timeout, env=env,
        )
        assert proc.stderr == b"", f"server wrote to stderr: {proc.stderr!r}"
        return proc.stdout

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


def traversable_tmp() -> Path:
    """A private temp dir that a dropped-privilege server (another uid) can still reach:
    pytest's own tmp_path lives under a 0700 directory."""
    return Path(tempfile.mkdtemp(prefix="managesieved-test-"))


@pytest.fixture
def env_root():
    root = traversable_tmp()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def server_env(env_root):
    return ServerEnv(env_root)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Socat:
    """socat listening on 127.0.0.1, exec'ing managesieved per connection, as inetd would."""

    def __init__(self, env: ServerEnv, options: str = "", exec_options: str = ""):
        """`options` are more launcher options (`--implicit-tls`); `exec_options` more socat EXEC options
        (`nofork`: the server gets the accepted socket itself, as under inetd)."""
        self.env = env
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{self.port},bind=127.0.0.1,reuseaddr,fork",
             f"EXEC:{SERVER} -c {env.config}{' ' + options if options else ''}"
             f"{',' + exec_options if exec_options else ''}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("socat did not start")

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def socat_server(server_env):
    if shutil.which("socat") is None:
        pytest.fail("socat is not installed (tools/install-test-deps installs it)")
    s = Socat(server_env)
    yield s
    s.close()


def plain_b64(user: str, password: str, authzid: str = "") -> str:
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


class Wire:
    """A hand-driven ManageSieve client over a socket, which can switch to TLS (STARTTLS or implicit).
    With `eof_allowed` off (a subclass's choice), the server closing the connection mid-line fails the test."""

    eof_allowed = True

    def __init__(self, port: int, implicit_tls: ssl.SSLContext | None = None, timeout: float = 10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if implicit_tls is not None:
            self.sock = implicit_tls.wrap_socket(self.sock, server_hostname="localhost")
        self.buffer = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def line(self) -> bytes:
        """One line without its CRLF; b"" at EOF."""
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                assert self.eof_allowed, f"connection closed; unread: {self.buffer!r}"
                rest, self.buffer = self.buffer, b""
                return rest
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def response(self) -> list[bytes]:
        """Lines up to and including the next OK/NO/BYE line (no literals are expected here)."""
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if not line or line.split(b" ", 1)[0].upper() in (b"OK", b"NO", b"BYE"):
                return lines

    def command(self, data: bytes) -> list[bytes]:
        self.send(data)
        return self.response()

    def starttls(self, context: ssl.SSLContext) -> list[bytes]:
        """STARTTLS, the handshake, then the capability block the server sends unasked (returned)."""
        reply = self.command(b"STARTTLS\r\n")
        assert reply[-1].startswith(b"OK"), reply
        assert self.buffer == b"", "the server sent bytes after its STARTTLS answer"
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        return self.response()

    def close(self):
        self.sock.close()


def wait_for_log(env: ServerEnv, pattern: str, wait: float = 5) -> str:
    """The server log once it matches `pattern` (the summary line comes after the client saw its last byte)."""
    deadline = time.time() + wait
    while True:
        log = env.log_text()
        if re.search(pattern, log, re.M):
            return log
        if time.time() > deadline:
            pytest.fail(f"server log lacks /{pattern}/:\n{log}")
        time.sleep(0.05)


def escape(data: bytes, upper_hex: bool = False) -> str:
    """The transcript escaping (docs/transcripts.md) of one protocol line: \\\\ \\r \\n \\t, printable ASCII as
    is, any other octet as \\xhh (\\xHH with `upper_hex`)."""
    out = []
    for b in data:
        if b == 0x5C:
            out.append("\\\\")
        elif b == 0x0D:
            out.append("\\r")
        elif b == 0x0A:
            out.append("\\n")
        elif b == 0x09:
            out.append("\\t")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02X}" if upper_hex else f"\\x{b:02x}")
    return "".join(out)


def client_tls_context(cert: tuple[Path, Path] | None = None) -> ssl.SSLContext:
    """Trusts the test CA; presents `cert` (certificate, key) when given."""
    context = ssl.create_default_context(cafile=str(test_pki().ca))
    if cert is not None:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    return context


def capability(lines: list[bytes], name: str) -> str | None:
    """The value of one capability in a capability block ("" for a bare one), or None when it is absent."""
    for line in lines:
        if line.startswith(b'"'):
            parts = line.split(b'"')
            if parts[1].decode().upper() == name.upper():
                return parts[3].decode() if len(parts) > 3 else ""
    return None


@contextlib.contextmanager
def serving(env: ServerEnv, implicit_tls: bool = False):
    """socat on loopback exec'ing the server for `env`, as inetd would; with `implicit_tls`, as the launcher
    line of an implicit-TLS port does (`--implicit-tls`)."""
    if shutil.which("socat") is None:
        pytest.fail("socat is not installed (tools/install-test-deps installs it)")
    server = Socat(env, "--implicit-tls" if implicit_tls else "")
    try:
        yield server
    finally:
        server.close()
