"""managesievectl transcript --replay for sessions that used STARTTLS (replayed inside TLS, with the server's
certificate verified or explicitly not), and the replay's password: from a file, the environment or the
terminal (no echo), never from the command line."""

import os
import pty
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CTL, SERVER, ServerEnv, Socat, Wire, client_tls_context, plain_b64, test_pki

ENV_VARIABLE = "MANAGESIEVECTL_PASSWORD"


def make_env(env_root: Path) -> ServerEnv:
    os.chmod(env_root, 0o755)
    root = env_root / "srv"
    root.mkdir()
    raw = env_root / "raw"
    raw.mkdir(mode=0o700)
    env = ServerEnv(root, f"rawlog_dir = {raw}", tls=True)
    env.raw = raw
    return env


def record_starttls_session(env: ServerEnv) -> Path:
    """A real STARTTLS session through socat (Python's ssl client), transcribed by the server; moved out of the
    transcript folder so that the replays' own transcripts do not mix with it."""
    server = Socat(env)
    try:
        wire = Wire(server.port)
        wire.response()
        wire.starttls(client_tls_context())
        assert wire.command(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\n'.encode())[-1] \
            .startswith(b"OK")
        assert wire.command(b'PUTSCRIPT "inside-tls" {6+}\r\nkeep;\n\r\n')[-1].startswith(b"OK")
        wire.command(b"LISTSCRIPTS\r\n")
        wire.command(b"LOGOUT\r\n")
        wire.close()
    finally:
        server.close()
    [path] = [p for p in env.raw.iterdir() if p.name.endswith("-alice.transcript")]
    kept = env.root.parent / "recorded.transcript"
    shutil.move(path, kept)
    for other in env.raw.iterdir():
        other.unlink()
    text = kept.read_text()
    assert "C: STARTTLS" in text and "*: tls started" in text
    shutil.rmtree(env.storage("alice"))
    return kept


def replay(path: Path, port: int, *options: str, env=None, host: str = "127.0.0.1"):
    return subprocess.run(
        [str(CTL), "transcript", "--no-color", str(path), "--replay", f"{host}:{port}", "--user", "alice",
         *options],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def recorded(env_root):
    env = make_env(env_root)
    path = record_starttls_session(env)
    server = Socat(env)
    yield env, path, server
    server.close()


def test_starttls_session_replays_inside_tls_verified(recorded, env_root):
    env, path, server = recorded
    secret = env_root / "password"
    secret.write_text("secret\n")
    out = replay(path, server.port, "--password-file", str(secret), "--tls-ca", str(test_pki().ca))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "replay: same answers" in out.stdout
    assert "*: tls started TLSv1." in out.stdout
    assert 'C: PUTSCRIPT "inside-tls" {6+}' in out.stdout
    # The replayed session really ran inside TLS: the server's own transcript of it says so.
    [again] = [p for p in env.raw.iterdir() if p.name.endswith("-alice.transcript")]
    text = again.read_text()
    assert text.index("*: tls started") < text.index('C: PUTSCRIPT "inside-tls"')
    assert (env.storage("alice") / "inside-tls.sieve").read_bytes() == b"keep;\n"


def test_certificate_is_verified_unless_told_not_to(recorded):
    env, path, server = recorded
    environment = {**os.environ, ENV_VARIABLE: "secret"}
    # The system's CAs do not know the test CA: the handshake fails and nothing is sent inside TLS.
    untrusted = replay(path, server.port, env=environment)
    assert untrusted.returncode == 69, untrusted.stdout + untrusted.stderr
    assert "TLS handshake with 127.0.0.1" in untrusted.stderr and "verify" in untrusted.stderr
    assert not (env.storage("alice") / "inside-tls.sieve").exists()
    explicit = replay(path, server.port, "--tls-no-verify", env=environment)
    assert explicit.returncode == 0, explicit.stdout + explicit.stderr
    assert "replay: same answers" in explicit.stdout


def test_password_from_the_environment(recorded):
    env, path, server = recorded
    out = replay(path, server.port, "--tls-ca", str(test_pki().ca), env={**os.environ, ENV_VARIABLE: "secret"})
    assert out.returncode == 0, out.stdout + out.stderr
    wrong = replay(path, server.port, "--tls-ca", str(test_pki().ca), env={**os.environ, ENV_VARIABLE: "nope"})
    assert wrong.returncode == 1 and '+ S: NO "Authentication failed."' in wrong.stdout


def test_password_on_the_command_line_is_refused(recorded):
    env, path, server = recorded
    out = replay(path, server.port, "--password", "secret")
    assert out.returncode == 64
    assert "--password is not accepted" in out.stderr and "--password-file" in out.stderr
    assert ENV_VARIABLE in out.stderr


def test_no_password_source_is_a_usage_error(recorded):
    env, path, server = recorded
    environment = {k: v for k, v in os.environ.items() if k != ENV_VARIABLE}
    # setsid: no controlling terminal, so there is nobody to ask.
    out = subprocess.run(
        ["setsid", "-w", str(CTL), "transcript", str(path), "--replay", f"127.0.0.1:{server.port}", "--user",
         "alice", "--tls-ca", str(test_pki().ca)],
        capture_output=True, text=True, timeout=60, env=environment, stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 64, out.stdout + out.stderr
    assert "--password-file" in out.stderr and ENV_VARIABLE in out.stderr


def test_password_typed_at_the_terminal_is_not_echoed(recorded):
    env, path, server = recorded
    environment = {k: v for k, v in os.environ.items() if k != ENV_VARIABLE}
    pid, terminal = pty.fork()
    if pid == 0:
        os.execve(str(CTL), [str(CTL), "transcript", "--no-color", str(path), "--replay",
                             f"127.0.0.1:{server.port}", "--user", "alice", "--tls-ca", str(test_pki().ca)],
                  environment)
    screen = b""
    deadline = time.time() + 30
    sent = False
    status = None
    while time.time() < deadline:
        ready, _, _ = select.select([terminal], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            screen += chunk
        if not sent and b"Password for alice: " in screen:
            os.write(terminal, b"secret\n")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    assert sent, screen
    assert os.waitstatus_to_exitcode(status) == 0, screen
    assert b"replay: same answers" in screen
    assert b"secret" not in screen


def test_starttls_session_replays_against_a_spawned_server(recorded):
    """--replay-exec runs the server on one socket (a socket pair, as inetd and socat's EXEC do), so the TLS
    handshake works there too; the certificate must name localhost."""
    env, path, server = recorded
    out = subprocess.run(
        [str(CTL), "transcript", "--no-color", str(path), "--replay-exec", f"{SERVER} -c {env.config}", "--user",
         "alice", "--tls-ca", str(test_pki().ca)],
        capture_output=True, text=True, timeout=60, env={**os.environ, ENV_VARIABLE: "secret"},
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "replay: same answers" in out.stdout and "*: tls started TLSv1." in out.stdout
    assert (env.storage("alice") / "inside-tls.sieve").read_bytes() == b"keep;\n"
