"""Start-up: one plan for every configuration. The greeting (made by `Greeting.bytes` from the session's facts)
must be exactly what CAPABILITY answers before login, in every configuration shape (TLS, transcripts,
sieve_extensions, SCRAM entries, implementation strings that need escaping); and the connect line says what
the start-up did before the greeting, so that a test fails if the cheap path (no passwd-file line parsed for
a file of crypt hashes, no TLS context for a STARTTLS client) silently stops being taken."""

import re
import subprocess
import shutil

import pytest

from conftest import SERVER, ServerEnv, plain_b64, traversable_tmp, wait_for_log


def greeting_and_capability(env: ServerEnv) -> tuple[bytes, bytes]:
    out = env.run_pipes(b"CAPABILITY\r\nLOGOUT\r\n")
    end = out.index(b"\r\nOK\r\n") + len(b"\r\nOK\r\n")
    second = out.index(b"\r\nOK\r\n", end) + len(b"\r\nOK\r\n")
    return out[:end], out[end:second]


CASES = {
    "defaults": ("", {}),
    "implementation string with quotes and a backslash": ('managesieve_implementation_string = "My \\"Sieve\\" \\\\ 2"', {}),
    "no redirects": ("sieve_max_redirects = 0", {}),
    "plaintext auth disabled": ("disable_plaintext_auth = yes", {}),
    "sieve_extensions without enotify": ("sieve_extensions = fileinto vacation", {}),
    "sieve_extensions with more": ("sieve_extensions = +vacation-seconds +editheader", {}),
    "SCRAM and cleartext entries": ("", {"alice": "PLAIN", "bob": "SCRAM-SHA-1"}),
    "ssl = yes": ("TLS", {}),
    "ssl = required": ("TLS\nssl = required", {}),
    "ssl = yes with SCRAM entries": ("TLS\ndisable_plaintext_auth = no", {"alice": "SCRAM-SHA-256"}),
    "transcripts": ("rawlog_dir = RAWLOG", {}),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_greeting_is_what_capability_says_in_every_configuration(case):
    extra, schemes = case
    root = traversable_tmp()
    try:
        tls = extra.startswith("TLS")
        extra = extra.removeprefix("TLS").strip().replace("RAWLOG", str(root / "rawlog"))
        if "rawlog_dir" in extra:
            (root / "rawlog").mkdir(mode=0o755)
        env = ServerEnv(root, extra, schemes=schemes, tls=tls)
        greeting, capability = greeting_and_capability(env)
        assert greeting.startswith(b'"IMPLEMENTATION" ')
        assert greeting == capability
        log = env.log_text()
        assert "internal error" not in log and log.count(" connect (") == 1
        if "rawlog_dir" in extra:
            transcript = next((root / "rawlog").iterdir()).read_bytes()
            assert b"IMPLEMENTATION" in transcript, "the greeting is recorded like any other output"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_connect_line_shows_the_cheap_start_up_ran(server_env):
    server_env.run_pipes(b"LOGOUT\r\n")
    wait_for_log(server_env, r"connect \(TLS off; passwd-file: nothing parsed for the greeting\)$")


def test_scram_entries_are_parsed_for_the_greeting_and_offered():
    root = traversable_tmp()
    try:
        env = ServerEnv(root, schemes={"alice": "PLAIN"})
        greeting, _ = greeting_and_capability(env)
        sasl = [line for line in greeting.split(b"\r\n") if line.startswith(b'"SASL"')]
        assert sasl == [b'"SASL" "PLAIN LOGIN SCRAM-SHA-256 SCRAM-SHA-1"']
        log = wait_for_log(env, r"connect \(TLS off; passwd-file: SCRAM/cleartext lines parsed for the greeting\)$")
        assert "nothing parsed" not in log
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_session_after_the_greeting_logs_as_before(server_env):
    out = server_env.run_pipes(b"NOOP\r\nLOGOUT\r\n")
    # The greeting, then NOOP's and LOGOUT's answers.
    assert out.endswith(b'"VERSION" "1.0"\r\nOK\r\nOK\r\nOK\r\n')
    log = server_env.log_text()
    assert "connect (" in log
    assert "session ended: user=- " in log
    assert f"out={len(out)} " in log


@pytest.mark.parametrize("users", [1, 2000], ids=["small passwd-file", "passwd-file over 64 KiB"])
def test_login_after_the_greeting(users, server_env):
    entry = server_env.passwd.read_text().splitlines()[0].split(":")
    extra = "".join(f"user{i}:{entry[1]}:{entry[2]}:{entry[3]}::/nonexistent/user{i}::\n" for i in range(users))
    server_env.passwd.write_text(server_env.passwd.read_text() + extra)
    login = b'AUTHENTICATE "PLAIN" "' + plain_b64("alice", "secret").encode() + b'"\r\nLOGOUT\r\n'
    out = server_env.run_pipes(login)
    assert b"\r\nOK\r\n" in out and b"NO" not in out.split(b"\r\nOK\r\n", 1)[1]
    assert "user=alice" in server_env.log_text()
    assert re.search(r"passwd-file: nothing parsed", server_env.log_text())


def test_the_system_calls_before_the_greeting_ask_nothing_twice(server_env):
    """Each file read before the greeting (the configuration, the passwd-file) is one open, one fstat and one
    pread: the size from the open's fstat is not asked again and a short pread shows the end (no second one
    returning 0); the greeting is written at once on the output made non-blocking by one ioctl, with no poll
    before it; and the log file is opened after it."""
    if shutil.which("strace") is None:
        pytest.fail("strace is not installed (tools/install-test-deps installs it)")
    trace = server_env.root / "strace.out"
    proc = subprocess.run(["strace", "-o", str(trace), str(SERVER), "-c", str(server_env.config)],
                          input=b"LOGOUT\r\n", capture_output=True, timeout=30)
    assert proc.stdout.startswith(b'"IMPLEMENTATION"'), proc.stdout
    calls = trace.read_text().splitlines()
    first_write = next(i for i, line in enumerate(calls) if line.startswith("write(1,"))
    before = calls[:first_write]
    opened = 0
    for i, line in enumerate(before):
        m = re.match(r'openat\(AT_FDCWD, "([^"]*)", O_RDONLY.*= (\d+)$', line)
        if not m or m.group(1) not in (str(server_env.config), str(server_env.passwd)):
            continue
        opened += 1
        fd = m.group(2)
        closing = next((j for j in range(i + 1, len(before)) if before[j].startswith(f"close({fd})")), len(before))
        until_close = before[i + 1:closing]
        uses = [u.split("(")[0] for u in until_close if re.match(rf"(newfstatat|fstat|pread64|read)\({fd},", u)]
        assert uses == ["newfstatat", "pread64"], (m.group(1), uses)
    assert opened == 2, before
    assert not any(line.startswith("poll(") for line in before), before
    # The log file is opened at the first line, the connect line after the greeting.
    assert not any(str(server_env.log) in line for line in before), before
    assert any(line.startswith("openat") and str(server_env.log) in line for line in calls[first_write:])
    # O_NONBLOCK is set on the output with one ioctl (FIONBIO), not fcntl's F_GETFL and F_SETFL.
    assert [line.split(",")[1].strip() for line in before if line.startswith(("fcntl(1,", "ioctl(1, FIONBIO"))] \
        == ["FIONBIO"], before
