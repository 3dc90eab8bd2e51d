"""Shared fixtures for the integration tests: they run the BUILT managesieved binary exactly as
inetd would (over pipes or through socat on loopback) with a temporary config, passwd-file and homes."""

import base64
import os
import shutil
import socket
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


def crypt_hash(password: str) -> str:
    out = subprocess.run(
        [str(CTL), "hash-password", "--scheme", "SHA512-CRYPT"],
        input=password + "\n", capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


_HASHES: dict[str, str] = {}


def hashed(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = crypt_hash(password)
    return _HASHES[password]


class ServerEnv:
    """A private server installation in a temporary directory."""

    def __init__(self, root: Path, extra_config: str = "", users=None):
        self.root = root
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
            lines.append(f"{user}:{hashed(password)}:{TEST_UID}:{TEST_GID}::{home}::")
        self.passwd.write_text("\n".join(lines) + "\n")
        self.write_config(extra_config)

    def write_config(self, extra: str = ""):
        base = {
            "passwd_file": str(self.passwd),
            "log_path": str(self.log),
            "auth_failure_delay": "0",
            "first_valid_uid": "100" if IS_ROOT else "0",
        }
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

    def __init__(self, env: ServerEnv):
        self.env = env
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{self.port},bind=127.0.0.1,reuseaddr,fork",
             f"EXEC:{SERVER} -c {env.config}"],
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
        pytest.fail("socat is not installed (.ci/run installs it)")
    s = Socat(server_env)
    yield s
    s.close()


def plain_b64(user: str, password: str, authzid: str = "") -> str:
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()
