"""The contrib/ launcher recipes, proven with the real launchers: openbsd-inetd with contrib/inetd.conf,
xinetd with contrib/xinetd.d/managesieve and socat each listen on a free loopback port, started and
stopped by the test, and serve a real session (login, upload, activate, list). systemd cannot run here,
so its units are checked with `systemd-analyze verify` and `systemd-analyze security --offline`.

Each recipe is used as shipped; the test only puts in the port, the loopback address, the built binary
and the temporary configuration."""

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, SERVER, USERS, Socat, Wire, free_port, plain_b64

CONTRIB = ROOT / "contrib"
INSTALLED_BINARY = "/usr/local/sbin/managesieved"
INSTALLED_CONFIG = "/etc/managesieved.conf"
SCRIPT = b'require "fileinto";\r\nif header :contains "subject" "[spam]" { fileinto "Junk"; }\r\n'


def need(path: str) -> str:
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not installed (tools/install-test-deps installs it)")
    return path


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"{what} exited with {process.returncode}: {out!r} {err!r}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{what} does not listen on port {port}")


def stop(process: subprocess.Popen):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client(Wire):
    """A raw ManageSieve client over a socket: just enough protocol to prove a session. The server closing the
    connection before a response is complete fails the test; commands get their CRLF appended."""

    eof_allowed = False

    def __init__(self, port: int):
        super().__init__(port, timeout=20)

    def command(self, data: bytes) -> list[bytes]:
        return super().command(data + b"\r\n")

    def close(self):
        self.sock.close()


def run_session(port: int, env):
    """Login, upload, activate, list, logout; then the script is on disk and active."""
    client = Client(port)
    try:
        greeting = client.response()
        assert greeting[0] == b'"IMPLEMENTATION" "managesieved"' and greeting[-1].startswith(b"OK")
        assert client.command(b'AUTHENTICATE "PLAIN" "' + plain_b64("alice", USERS["alice"]).encode() + b'"') == [
            b"OK"]
        assert client.command(b'PUTSCRIPT "launched" {%d+}\r\n' % len(SCRIPT) + SCRIPT) == [b"OK"]
        assert client.command(b'SETACTIVE "launched"') == [b"OK"]
        assert client.command(b"LISTSCRIPTS") == [b'"launched" ACTIVE', b"OK"]
        assert client.command(b"LOGOUT")[-1].startswith(b"OK")
    finally:
        client.close()
    assert (env.storage("alice") / "launched.sieve").read_bytes() == SCRIPT
    assert os.readlink(env.home("alice") / ".dovecot.sieve") == "sieve/launched.sieve"
    deadline = time.time() + 5
    while "reason=logout" not in env.log_text() and time.time() < deadline:
        time.sleep(0.05)
    return env.log_text()


def recipe_line(text: str) -> str:
    """The one active (uncommented) line of contrib/inetd.conf."""
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert len(lines) == 1, lines
    return lines[0]


# --- openbsd-inetd ---------------------------------------------------------------------------------------


def test_contrib_inetd_line_is_the_documented_one():
    fields = recipe_line((CONTRIB / "inetd.conf").read_text()).split()
    assert fields == ["sieve", "stream", "tcp", "nowait", "root", INSTALLED_BINARY, "managesieved", "-c",
                      INSTALLED_CONFIG]


def test_openbsd_inetd(server_env, tmp_path):
    inetd = need("/usr/sbin/inetd")
    port = free_port()
    line = recipe_line((CONTRIB / "inetd.conf").read_text())
    # openbsd-inetd takes "address:port" in the service field.
    line = re.sub(r"^sieve\s", f"127.0.0.1:{port}\t", line)
    line = line.replace(INSTALLED_BINARY, str(SERVER)).replace(INSTALLED_CONFIG, str(server_env.config))
    config = tmp_path / "inetd.conf"
    config.write_text(line + "\n")
    # -i: stay in the foreground; -d: debug messages on stderr (and no daemonizing either).
    process = subprocess.Popen([inetd, "-d", "-i", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, "inetd")
        log = run_session(port, server_env)
    finally:
        stop(process)
    # inetd hands over a real TCP socket: the server finds the peer's address itself.
    assert re.search(r"peer=127\.0\.0\.1:\d+ user=alice: session ended: user=alice .*reason=logout", log), log
    _, err = process.communicate()
    assert f"execv {SERVER}" in err.decode(), err


def test_openbsd_inetd_implicit_tls_line(env_root):
    """The commented implicit-TLS line of contrib/inetd.conf, uncommented: TLS from the first byte, then the
    greeting inside it."""
    from conftest import ServerEnv, capability, client_tls_context

    env = ServerEnv(env_root, tls=True)
    inetd = need("/usr/sbin/inetd")
    port = free_port()
    lines = [l for l in (CONTRIB / "inetd.conf").read_text().splitlines() if "--implicit-tls" in l]
    assert len(lines) == 1 and lines[0].startswith("#5190\t"), lines
    line = re.sub(r"^#5190\s", f"127.0.0.1:{port}\t", lines[0])
    line = line.replace(INSTALLED_BINARY, str(SERVER)).replace(INSTALLED_CONFIG, str(env.config))
    config = env_root / "inetd.conf"
    config.write_text(line + "\n")
    process = subprocess.Popen([inetd, "-d", "-i", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, "inetd")
        wire = Wire(port, implicit_tls=client_tls_context())
        greeting = wire.response()
        assert capability(greeting, "IMPLEMENTATION") == "managesieved"
        assert capability(greeting, "STARTTLS") is None
        assert wire.command(b"LOGOUT\r\n") == [b"OK"]
        wire.close()
    finally:
        stop(process)
    deadline = time.time() + 5
    while "implicit TLS started" not in env.log_text() and time.time() < deadline:
        time.sleep(0.05)
    assert "implicit TLS started: TLSv1.3" in env.log_text()


# --- xinetd (run from its unpacked Debian package; it conflicts with openbsd-inetd) ---------------------

XINETD_CACHE = Path(tempfile.gettempdir()) / "managesieved-test-xinetd"


@pytest.fixture(scope="session")
def xinetd_binary() -> str:
    binary = XINETD_CACHE / "root" / "usr" / "sbin" / "xinetd"
    if binary.exists():
        return str(binary)
    if shutil.which("xinetd"):
        return shutil.which("xinetd")
    XINETD_CACHE.mkdir(parents=True, exist_ok=True)
    debs = glob.glob(str(XINETD_CACHE / "xinetd_*.deb"))
    if not debs:
        download = subprocess.run(["apt-get", "download", "xinetd"], cwd=XINETD_CACHE, capture_output=True,
                                  text=True, timeout=300)
        debs = glob.glob(str(XINETD_CACHE / "xinetd_*.deb"))
        if download.returncode != 0 or not debs:
            pytest.skip(f"cannot download the xinetd package with apt-get download: {download.stderr.strip()}")
    subprocess.run(["dpkg", "-x", debs[0], str(XINETD_CACHE / "root")], check=True, timeout=60)
    assert binary.exists()
    return str(binary)


def test_xinetd(server_env, tmp_path, xinetd_binary):
    port = free_port()
    service = (CONTRIB / "xinetd.d" / "managesieve").read_text()
    assert re.search(r"^\s*port\s*=\s*4190$", service, re.M)
    service = re.sub(r"^(\s*port\s*=\s*)4190$", rf"\g<1>{port}", service, flags=re.M)
    service = service.replace(INSTALLED_BINARY, str(SERVER)).replace(INSTALLED_CONFIG, str(server_env.config))
    service = re.sub(r"^(\s*)disable(\s*)=", r"\1bind\t\t= 127.0.0.1\n\1disable\2=", service, flags=re.M)
    config = tmp_path / "xinetd.conf"
    config.write_text(service)
    messages = tmp_path / "xinetd.messages"
    process = subprocess.Popen(
        [xinetd_binary, "-dontfork", "-f", str(config), "-filelog", str(messages), "-pidfile",
         str(tmp_path / "xinetd.pid")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, "xinetd")
        log = run_session(port, server_env)
    finally:
        stop(process)
    assert re.search(r"peer=127\.0\.0\.1:\d+ user=alice: session ended: user=alice .*reason=logout", log), log
    text = messages.read_text()
    assert "Started working: 1 available service" in text, text
    assert "ERROR" not in text and "WARNING: Exiting" in text, text


# --- socat -----------------------------------------------------------------------------------------------


def test_socat(socat_server):
    log = run_session(socat_server.port, socat_server.env)
    # Through socat EXEC the peer comes from SOCAT_PEERADDR/SOCAT_PEERPORT.
    assert re.search(r"peer=127\.0\.0\.1:\d+ user=alice: session ended: user=alice .*reason=logout", log), log


def _children(parent: int) -> list[tuple[int, str]]:
    """(pid, command name) of the processes whose parent is `parent`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
            found.append((int(entry), name))
    return found


def test_socat_nofork_recipe(server_env):
    """The README's socat recipe: with `nofork` the server's standard input and output are the accepted
    socket itself (no relay process), and a whole session works with the peer taken from the socket."""
    s = Socat(server_env, exec_options="nofork")
    try:
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as probe:
            probe.recv(4096)  # the greeting: the server process exists now
            children = _children(s.proc.pid)
            servers = [pid for pid, name in children if name == "managesieved"]
            relays = [pid for pid, name in children if name == "socat"]
            # (Socat's start-up probe may have left a second session process that is still ending.)
            assert servers and relays == [], (servers, relays)
            checked = 0
            for pid in servers:
                try:
                    stdin = os.readlink(f"/proc/{pid}/fd/0")
                except FileNotFoundError:
                    continue  # the probe's session process ended between the listing and here
                assert stdin.startswith("socket:"), stdin
                checked += 1
            assert checked, servers
        log = run_session(s.port, server_env)
        assert re.search(r"peer=127\.0\.0\.1:\d+ user=alice: session ended: user=alice .*reason=logout", log), log
    finally:
        s.close()


# --- systemd (verified, not run) -------------------------------------------------------------------------


@pytest.fixture
def unit_dir(tmp_path):
    """The units with ExecStart pointing at the built binary, and our man pages on a private MANPATH so
    that verify can check Documentation=."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is not installed (tools/install-test-deps installs systemd)")
    units = tmp_path / "units"
    units.mkdir()
    for unit in (CONTRIB / "systemd").iterdir():
        (units / unit.name).write_text(unit.read_text().replace(INSTALLED_BINARY, str(SERVER)))
    for section in ("5", "8"):
        (tmp_path / "man" / f"man{section}").mkdir(parents=True)
    for page in (ROOT / "man").iterdir():
        shutil.copy(page, tmp_path / "man" / f"man{page.suffix[1:]}" / page.name)
    return units


def test_systemd_units_verify(unit_dir):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit_dir / "managesieved.socket"), str(unit_dir / "managesieved@.service")],
        capture_output=True, text=True, timeout=60, env={**os.environ, "MANPATH": str(unit_dir.parent / "man")})
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stdout + result.stderr


def test_systemd_verify_notices_a_broken_unit(unit_dir):
    """verify must not be a rubber stamp: a missing binary is reported."""
    service = unit_dir / "managesieved@.service"
    service.write_text(service.read_text().replace(str(SERVER), "/nonexistent/managesieved"))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit_dir / "managesieved.socket"),
                             str(service)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "/nonexistent/managesieved" in result.stderr, result.stderr


def test_systemd_units_are_socket_activated_per_connection():
    socket_unit = (CONTRIB / "systemd" / "managesieved.socket").read_text()
    service = (CONTRIB / "systemd" / "managesieved@.service").read_text()
    assert re.search(r"^ListenStream=4190$", socket_unit, re.M)
    assert re.search(r"^Accept=yes$", socket_unit, re.M)
    for setting in ["StandardInput=socket", "StandardOutput=socket", "StandardError=null",
                    f"ExecStart={INSTALLED_BINARY} -c {INSTALLED_CONFIG}", "ProtectSystem=strict",
                    "ReadWritePaths=/home", "NoNewPrivileges=yes"]:
        assert re.search(rf"^{re.escape(setting)}$", service, re.M), setting
    # The privilege drop needs CAP_SETUID/CAP_SETGID and must not be hidden behind a user namespace.
    bounding = re.search(r"^CapabilityBoundingSet=(.*)$", service, re.M).group(1).split()
    assert {"CAP_SETUID", "CAP_SETGID"} <= set(bounding)
    assert not re.search(r"^(PrivateUsers|DynamicUser|User)=", service, re.M)


def test_systemd_service_sandboxing_scores_well(unit_dir):
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager",
                             str(unit_dir / "managesieved@.service")], capture_output=True, text=True, timeout=60)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 3.0, result.stdout


# --- make install / uninstall ----------------------------------------------------------------------------


def make(target: str, destdir: Path, *extra: str) -> subprocess.CompletedProcess:
    # `-o release`: install the binaries under test instead of building release ones here.
    return subprocess.run(["make", "-s", "-C", str(ROOT), "-o", "release", target, f"DESTDIR={destdir}",
                           "PREFIX=/usr", f"RELEASE_DIR={SERVER.parent}", f"CTL_RELEASE_DIR={SERVER.parent}", *extra],
                          capture_output=True, text=True, timeout=120)


def test_make_install_and_uninstall(tmp_path):
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    destdir = tmp_path / "dest"
    result = make("install", destdir)
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted(str(p.relative_to(destdir)) for p in destdir.rglob("*") if p.is_file())
    assert files == [
        "etc/managesieved.conf",
        "usr/sbin/managesievectl",
        "usr/sbin/managesieved",
        "usr/share/bash-completion/completions/managesievectl",
        "usr/share/doc/managesieved/README.md",
        "usr/share/doc/managesieved/fail2ban/filter.d/managesieved.conf",
        "usr/share/doc/managesieved/fail2ban/jail.d/managesieved.conf",
        "usr/share/doc/managesieved/inetd.conf",
        "usr/share/doc/managesieved/logrotate.d/managesieved",
        "usr/share/doc/managesieved/managesieved.conf",
        "usr/share/doc/managesieved/oauth2-jwks-refresh/README",
        "usr/share/doc/managesieved/oauth2-jwks-refresh/managesieved-jwks.service",
        "usr/share/doc/managesieved/oauth2-jwks-refresh/managesieved-jwks.timer",
        "usr/share/doc/managesieved/systemd/managesieved.socket",
        "usr/share/doc/managesieved/systemd/managesieved@.service",
        "usr/share/doc/managesieved/xinetd.d/managesieve",
        "usr/share/fish/vendor_completions.d/managesievectl.fish",
        "usr/share/man/man5/managesieved.conf.5",
        "usr/share/man/man8/managesievectl.8",
        "usr/share/man/man8/managesieved.8",
        "usr/share/zsh/site-functions/_managesievectl",
    ]
    assert os.access(destdir / "usr/sbin/managesieved", os.X_OK)
    assert (destdir / "etc/managesieved").is_dir()
    # Stripped: no symbol table left.
    for binary in ("managesieved", "managesievectl"):
        sections = subprocess.run(["readelf", "-S", str(destdir / "usr/sbin" / binary)], capture_output=True,
                                  text=True, check=True).stdout
        assert ".symtab" not in sections, binary
    # The completions are managesievectl's own, naming its subcommands.
    bash = (destdir / "usr/share/bash-completion/completions/managesievectl").read_text()
    assert "hash-password" in bash and "transcript" in bash
    doc = destdir / "usr/share/doc/managesieved"
    # The recipes name the installed binary.
    assert "\t/usr/sbin/managesieved\t" in (doc / "inetd.conf").read_text()
    assert "ExecStart=/usr/sbin/managesieved -c /etc/managesieved.conf" in (
        doc / "systemd/managesieved@.service").read_text()
    assert "/usr/local" not in (doc / "xinetd.d/managesieve").read_text()
    assert "/usr/share/doc/managesieved" in (destdir / "usr/share/man/man8/managesieved.8").read_text()

    # An existing configuration is never overwritten.
    config = destdir / "etc/managesieved.conf"
    config.write_text("passwd_file = /etc/dovecot/users\n")
    result = make("install", destdir)
    assert result.returncode == 0 and "keeping existing" in result.stdout, result.stdout + result.stderr
    assert config.read_text() == "passwd_file = /etc/dovecot/users\n"

    result = make("uninstall", destdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [str(p.relative_to(destdir)) for p in destdir.rglob("*") if p.is_file()] == ["etc/managesieved.conf"]
