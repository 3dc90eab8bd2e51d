"""Session transcripts (rawlog_dir, issue 6) against the built managesieved and managesievectl.

Time stamps are normalised to TT:TT:TT.TTT and the session-start details (date, pid) to fixed text,
so whole transcripts can be compared exactly. The greeting is taken from what the client really
received, so the transcript is proven to hold the exact wire lines whatever the capability list says."""

import base64
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CTL, IS_ROOT, SERVER, ServerEnv, Socat, escape, free_port, plain_b64

STAMP = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} ", re.M)
START = re.compile(r"\*: session start \d{4}-\d\d-\d\dT[\d:.]+Z pid=\d+ peer=(\S+)")
NAME = re.compile(r"^\d{8}T\d{6}\.\d{3}Z-pid(\d+)(-[A-Za-z0-9._@+-]+)?\.transcript$")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def make_env(env_root: Path, extra: str = "") -> ServerEnv:
    os.chmod(env_root, 0o755)  # the users' homes below must be reachable after the privilege drop
    root = env_root / "srv"
    root.mkdir()
    raw = env_root / "raw"
    raw.mkdir(mode=0o700)
    env = ServerEnv(root, f"rawlog_dir = {raw}\n" + extra)
    env.raw = raw
    return env


def transcripts(env: ServerEnv) -> list[Path]:
    return sorted(env.raw.iterdir())


def normalised(path: Path) -> list[str]:
    text = STAMP.sub("TT:TT:TT.TTT ", path.read_text())
    text = START.sub(r"*: session start DATE pid=PID peer=\1", text)
    return text.splitlines()


def greeting_records(output: bytes) -> list[str]:
    lines = output.split(b"\r\n")
    end = next(i for i, l in enumerate(lines) if l.startswith(b"OK"))
    return [f"TT:TT:TT.TTT S: {escape(l, upper_hex=True)}" for l in lines[: end + 1]]


def unescape(text: str) -> bytes:
    out, raw, i = bytearray(), text.encode(), 0
    simple = {ord("r"): 0x0D, ord("n"): 0x0A, ord("t"): 0x09, ord("\\"): 0x5C}
    while i < len(raw):
        if raw[i] == 0x5C:
            if raw[i + 1] == ord("x"):
                out.append(int(raw[i + 2:i + 4], 16))
                i += 4
            else:
                out.append(simple[raw[i + 1]])
                i += 2
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def server_bytes(path: Path) -> bytes:
    """The server's octets rebuilt from S: and S+ records (a line record gets its CRLF back)."""
    out = bytearray()
    for record in records_without_time(path):
        m = re.match(r"^S(\+ \d+)?: (.*)$", record)
        if m:
            out += unescape(m.group(2)) + (b"" if m.group(1) else b"\r\n")
    return bytes(out)


def records_without_time(path: Path) -> list[str]:
    return [l[len("TT:TT:TT.TTT "):] for l in normalised(path)]


@pytest.fixture(autouse=True)
def server_records_transcripts(tmp_path_factory):
    """Skips the module until managesieved is wired to record transcripts (issue 6 wiring in main.swift)."""
    env = make_env(tmp_path_factory.mktemp("probe"))
    env.run_pipes(b"LOGOUT\r\n")
    if not transcripts(env):
        pytest.skip("managesieved does not record transcripts yet (rawlog_dir is not wired in main.swift)")


def test_golden_plain_login_session(env_root):
    env = make_env(env_root)
    secret_b64 = plain_b64("alice", "secret")
    client = (
        f'AUTHENTICATE "PLAIN" "{secret_b64}"\r\n'
        'PUTSCRIPT "s" {11+}\r\nkeep;\r\n\x01\xe9t\\\r\n'
        'GETSCRIPT "s"\r\n'
        "LOGOUT\r\n"
    ).encode("latin-1")
    output = env.run_pipes(client)
    [path] = transcripts(env)
    assert NAME.match(path.name) and path.name.endswith("-alice.transcript")
    expected = (
        ["TT:TT:TT.TTT *: session start DATE pid=PID peer=local"]
        + greeting_records(output)
        + [
            # Client records come as the session's parser consumes them, so the notes of the login come
            # between the commands of the batch they were pipelined in.
            'TT:TT:TT.TTT C: AUTHENTICATE "PLAIN" <redacted 22 bytes>',
            "TT:TT:TT.TTT *: sasl begin mechanism=PLAIN",
            "TT:TT:TT.TTT *: sasl end",
            "TT:TT:TT.TTT *: login user=alice",
            'TT:TT:TT.TTT C: PUTSCRIPT "s" {11+}',
            "TT:TT:TT.TTT C+ 11: keep;\\r\\n\\x01\\xE9t\\\\",
            "TT:TT:TT.TTT C: ",
            'TT:TT:TT.TTT C: GETSCRIPT "s"',
            "TT:TT:TT.TTT C: LOGOUT",
        ]
    )
    got = normalised(path)
    assert got[: len(expected)] == expected
    assert got[-1] == "TT:TT:TT.TTT *: disconnect reason=logout"
    # The server records rebuild exactly the octets the client received.
    assert server_bytes(path) == output
    text = path.read_text()
    assert secret_b64 not in text and "secret" not in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_login_exchange_redacted_and_prompts_kept(env_root):
    env = make_env(env_root)
    proc = subprocess.Popen(
        [str(SERVER), "-c", str(env.config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader = proc.stdout

    def until(prefix: bytes):
        while True:
            line = reader.readline()
            assert line, "server closed early"
            if line.startswith(prefix):
                return line

    until(b"OK")
    for line in [b'AUTHENTICATE "LOGIN"', f'"{b64("alice")}"'.encode(), f'"{b64("secret")}"'.encode()]:
        proc.stdin.write(line + b"\r\n")
        proc.stdin.flush()
        answer = reader.readline()
    assert answer.startswith(b"OK")
    proc.stdin.write(b"LOGOUT\r\n")
    proc.stdin.close()
    proc.wait(timeout=10)
    [path] = transcripts(env)
    records = records_without_time(path)
    start = records.index('C: AUTHENTICATE "LOGIN"')
    assert records[start:start + 9] == [
        'C: AUTHENTICATE "LOGIN"',
        "*: sasl begin mechanism=LOGIN",
        'S: "VXNlcm5hbWU6"',
        "C: <redacted 10 bytes>",
        'S: "UGFzc3dvcmQ6"',
        "C: <redacted 10 bytes>",
        "*: sasl end",
        "*: login user=alice",
        "S: OK",
    ]
    text = path.read_text()
    assert b64("secret") not in text and b64("alice") not in text and "secret" not in text


def test_plain_continuation_and_failed_login(env_root):
    env = make_env(env_root)
    wrong = plain_b64("alice", "wrong-password")
    env.run_pipes(f'AUTHENTICATE "PLAIN" {{{len(wrong)}+}}\r\n{wrong}\r\nNOOP\r\nLOGOUT\r\n'.encode())
    [path] = transcripts(env)
    records = records_without_time(path)
    i = records.index(f'C: AUTHENTICATE "PLAIN" {{{len(wrong)}+}}')
    assert records[i + 1] == f"C+ {len(wrong)}: <redacted {len(wrong)} bytes>"
    assert "C: NOOP" in records
    assert 'S: NO "Authentication failed."' in records
    assert wrong not in path.read_text()
    # Never logged in: the name shows no user.
    assert NAME.match(path.name).group(2) is None


def test_abrupt_disconnect_mid_literal(env_root):
    env = make_env(env_root)
    env.run_pipes(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\nPUTSCRIPT "x" {{100+}}\r\nkeep'.encode())
    [path] = transcripts(env)
    records = records_without_time(path)
    assert records[-3:] == [
        "C+ 100: keep",
        "*: client literal incomplete: 4 of 100 bytes",
        records[-1],
    ]
    assert records[-1].startswith("*: disconnect reason=")
    assert "*: client closed the connection" in records


def test_kill_9_leaves_complete_records(env_root):
    env = make_env(env_root)
    proc = subprocess.Popen(
        [str(SERVER), "-c", str(env.config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    while not proc.stdout.readline().startswith(b"OK"):
        pass
    proc.stdin.write(b"NOOP\r\n")
    proc.stdin.flush()
    assert proc.stdout.readline().startswith(b"OK")
    proc.stdin.write(b"CAPABILITY\r\n")  # then hang: no more input
    proc.stdin.flush()
    while not proc.stdout.readline().startswith(b"OK"):
        pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    [path] = transcripts(env)
    text = path.read_text()
    assert text.endswith("\n")
    records = records_without_time(path)
    assert all(re.match(r"^(C|S|\*)(\+ \d+)?: ", r) for r in records)
    assert "C: NOOP" in records and "C: CAPABILITY" in records
    assert records[-1].startswith("S: OK")
    assert not any(r.startswith("*: disconnect") for r in records)


def test_rawlog_users_filter(env_root):
    env = make_env(env_root, "rawlog_users = alice")
    env.run_pipes(b"NOOP\r\nLOGOUT\r\n")  # never logs in
    assert transcripts(env) == []
    env.run_pipes(f'AUTHENTICATE "PLAIN" "{plain_b64("bob", "hunter2")}"\r\nLOGOUT\r\n'.encode())
    assert transcripts(env) == []
    env.run_pipes(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "wrong")}"\r\nLOGOUT\r\n'.encode())
    assert transcripts(env) == []
    env.run_pipes(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\nLOGOUT\r\n'.encode())
    [path] = transcripts(env)
    assert path.name.endswith("-alice.transcript")


@pytest.mark.parametrize(
    "peers, address, recorded",
    [
        ("192.0.2.0/24", "192.0.2.9", True),
        ("192.0.2.0/24", "198.51.100.1", False),
        ("2001:db8::/32, 10.0.0.1", "10.0.0.1", True),
        ("local", None, True),
        ("10.0.0.0/8", None, False),
    ],
)
def test_rawlog_peers_filter(env_root, peers, address, recorded):
    env = make_env(env_root, f"rawlog_peers = {peers}")
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("SOCAT_")}
    if address:
        run_env["SOCAT_PEERADDR"] = address
        run_env["SOCAT_PEERPORT"] = "4242"
    env.run_pipes(b"LOGOUT\r\n", env=run_env)
    files = transcripts(env)
    assert bool(files) == recorded
    if files:
        assert records_without_time(files[0])[0].endswith(f"peer={address}:4242" if address else "peer=local")


def test_missing_directory_session_unharmed(env_root):
    root = env_root / "srv"
    root.mkdir()
    env = ServerEnv(root, f"rawlog_dir = {env_root / 'missing'}")
    output = env.run_pipes(b"NOOP\r\nLOGOUT\r\n")
    assert output.endswith(b"OK\r\n") and output.count(b"\r\nOK") >= 2
    assert "rawlog_dir" in env.log_text()


@pytest.mark.skipif(not IS_ROOT, reason="needs root for a real privilege drop")
def test_file_stays_root_owned_and_renamed_across_privilege_drop(env_root):
    env = make_env(env_root, "mail_debug = yes")  # the privilege drop is logged at debug level
    env.run_pipes(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\nNOOP\r\nLOGOUT\r\n'.encode())
    assert "dropped privileges" in env.log_text()
    [path] = transcripts(env)
    assert path.name.endswith("-alice.transcript")
    st = path.stat()
    assert (st.st_uid, st.st_mode & 0o777) == (0, 0o600)
    # Written after the drop too: the descriptor was opened as root.
    assert records_without_time(path)[-1] == "*: disconnect reason=logout"


def scripted_session(env: ServerEnv) -> Path:
    env.run_pipes(
        (
            f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\n'
            'PUTSCRIPT "s" {6+}\r\nkeep;\n\r\n'
            'SETACTIVE "s"\r\nLISTSCRIPTS\r\nGETSCRIPT "s"\r\nGETSCRIPT "none"\r\n'
            "CHECKSCRIPT {4+}\r\nstop\r\nLOGOUT\r\n"
        ).encode()
    )
    [path] = transcripts(env)
    return path


def reset_storage(env: ServerEnv):
    subprocess.run(["rm", "-rf", str(env.storage("alice")), str(env.home("alice") / ".dovecot.sieve")], check=True)


def test_pretty_print(env_root):
    env = make_env(env_root)
    path = scripted_session(env)
    out = subprocess.run([str(CTL), "transcript", "--no-color", str(path)], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0].strip().startswith("+0.000s *: session start")
    assert all(re.match(r"^ *\+\d+\.\d{3}s (C|S|\*)(\+ \d+)?: ", l) for l in lines)
    assert "\x1b[" not in out.stdout
    assert any(l.endswith('C: AUTHENTICATE "PLAIN" <redacted 22 bytes>') for l in lines)


def test_replay_exec_reproduces_answers(env_root):
    env = make_env(env_root)
    path = scripted_session(env)
    reset_storage(env)
    out = subprocess.run(
        [str(CTL), "transcript", "--no-color", str(path), "--replay-exec", f"{SERVER} -c {env.config}",
         "--user", "alice"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "MANAGESIEVECTL_PASSWORD": "secret"},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "replay: same answers" in out.stdout
    assert "C: <credentials>" not in out.stdout  # PLAIN with an initial response: one line


def test_replay_marks_differences(env_root):
    env = make_env(env_root)
    path = scripted_session(env)
    # The script now exists from the first run, and the password is wrong: answers differ.
    out = subprocess.run(
        [str(CTL), "transcript", "--no-color", str(path), "--replay-exec", f"{SERVER} -c {env.config}",
         "--user", "alice"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "MANAGESIEVECTL_PASSWORD": "wrong"},
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "- S: OK" in out.stdout and '+ S: NO "Authentication failed."' in out.stdout


def test_replay_needs_credentials(env_root):
    env = make_env(env_root)
    path = scripted_session(env)
    out = subprocess.run(
        [str(CTL), "transcript", str(path), "--replay-exec", f"{SERVER} -c {env.config}"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 64 and "give --user and a password" in out.stderr


def test_replay_against_nothing_is_unavailable(env_root):
    env = make_env(env_root)
    path = scripted_session(env)
    out = subprocess.run(
        [str(CTL), "transcript", str(path), "--replay", f"127.0.0.1:{free_port()}", "--user", "alice"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "MANAGESIEVECTL_PASSWORD": "secret"},
    )
    assert out.returncode == 69 and "cannot connect to 127.0.0.1:" in out.stderr


def test_replay_over_tcp(env_root):
    env = make_env(env_root)
    path = scripted_session(env)
    reset_storage(env)
    for old in transcripts(env):
        old.rename(env_root / old.name)
    socat = Socat(env)
    try:
        out = subprocess.run(
            [str(CTL), "transcript", "--no-color", str(env_root / path.name), "--replay",
             f"127.0.0.1:{socat.port}", "--user", "alice"],
            capture_output=True, text=True, timeout=60, env={**os.environ, "MANAGESIEVECTL_PASSWORD": "secret"},
        )
    finally:
        socat.close()
    assert out.returncode == 0, out.stdout + out.stderr
    # The replayed session was itself transcribed, with the socat peer address (socat's start-up
    # probe connection made one more, without a login).
    [replayed] = [p for p in transcripts(env) if p.name.endswith("-alice.transcript")]
    assert "peer=127.0.0.1:" in replayed.read_text()


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost"],
        check=True, capture_output=True,
    )
    return cert, key


def test_starttls_session_recorded_in_plaintext(env_root):
    import ssl

    cert, key = make_certificate(env_root)
    env = make_env(env_root, f"ssl = yes\nssl_cert = {cert}\nssl_key = {key}")
    socat = Socat(env)
    try:
        raw = socket.create_connection(("127.0.0.1", socat.port), timeout=10)
        stream = raw.makefile("rb")

        def until_ok(reader):
            lines = []
            while True:
                line = reader.readline()
                assert line, "server closed early"
                lines.append(line)
                if line.startswith(b"OK"):
                    return lines

        until_ok(stream)
        raw.sendall(b"STARTTLS\r\n")
        until_ok(stream)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        tls = context.wrap_socket(raw, server_hostname="localhost")
        reader = tls.makefile("rb")
        until_ok(reader)
        tls.sendall(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\n'.encode())
        until_ok(reader)
        tls.sendall(b'PUTSCRIPT "inside-tls" {6+}\r\nkeep;\n\r\nLOGOUT\r\n')
        until_ok(reader)
        until_ok(reader)
        tls.close()
    finally:
        socat.close()
    [path] = [p for p in transcripts(env) if p.name.endswith("-alice.transcript")]
    records = records_without_time(path)
    i = records.index("C: STARTTLS")
    tls_event = next(r for r in records[i:] if r.startswith("*: tls started "))
    assert "TLS" in tls_event
    after = records[records.index(tls_event):]
    assert 'C: AUTHENTICATE "PLAIN" <redacted 22 bytes>' in after
    assert 'C: PUTSCRIPT "inside-tls" {6+}' in after and "C+ 6: keep;\\n" in after
    assert "secret" not in path.read_text()


def test_pretty_print_colours_on_a_terminal(env_root):
    import pty

    env = make_env(env_root)
    env.run_pipes(b"NOOP\r\nLOGOUT\r\n")
    [path] = transcripts(env)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([str(CTL), "transcript", str(path)], stdout=terminal, stderr=subprocess.PIPE)
    os.close(terminal)
    out = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=10)
    os.close(controller)
    text = out.decode()
    assert "\x1b[32mC: NOOP\x1b[0m" in text  # client
    assert "\x1b[36mS: OK" in text  # server
    assert "\x1b[33m*: disconnect reason=logout\x1b[0m" in text  # events
