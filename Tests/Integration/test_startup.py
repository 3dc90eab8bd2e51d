"""Start-up: the quick greeting (written from the raw configuration and passwd-file bytes before the server is
built, for plain configurations) must be byte for byte the greeting of the ordinary path. Each case runs the
server twice: once with a configuration the quick start takes, once with the same settings written so that it
declines (a quoted value, which the quick scan leaves to the full parser) and the ordinary path greets."""

import shutil

import pytest

from conftest import ServerEnv, plain_b64, traversable_tmp


def greeting(env: ServerEnv) -> bytes:
    out = env.run_pipes(b"LOGOUT\r\n")
    assert b"internal error" not in env.log_text().encode()
    end = out.index(b"\r\nOK\r\n") + len(b"\r\nOK\r\n")
    return out[:end]


def quoted(config: str) -> str:
    """The same settings with passwd_file's value quoted: the quick scan declines quoted values."""
    lines = []
    for line in config.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "passwd_file":
            line = f'passwd_file = "{value.strip()}"'
        lines.append(line)
    return "\n".join(lines) + "\n"


CASES = {
    "defaults": "",
    "implementation string with quotes and a backslash": 'managesieve_implementation_string = My "Sieve" \\ 2',
    "no redirects": "sieve_max_redirects = 0",
    "many redirects": "sieve_max_redirects = 123456789",
    "plaintext auth explicitly allowed": "disable_plaintext_auth = no\nssl = no",
    "plaintext auth disabled": "disable_plaintext_auth = yes",
    "sizes and times": "sieve_max_script_size = 4M\nsieve_quota_max_storage = 12k\nmanagesieve_idle_timeout = 600",
}


@pytest.mark.parametrize("extra", CASES.values(), ids=CASES.keys())
def test_quick_greeting_equals_the_ordinary_one(extra):
    roots = [traversable_tmp(), traversable_tmp()]
    try:
        quick, ordinary = ServerEnv(roots[0], extra), ServerEnv(roots[1], extra)
        ordinary.config.write_text(quoted(ordinary.config.read_text()))
        fast, slow = greeting(quick), greeting(ordinary)
        # The two installations differ only in their paths, which the greeting does not show.
        assert fast == slow
        assert fast.startswith(b'"IMPLEMENTATION" ')
        assert quick.log_text().count("connect") == 1
    finally:
        for root in roots:
            shutil.rmtree(root, ignore_errors=True)


def test_scram_entries_take_the_ordinary_path_and_are_offered():
    root = traversable_tmp()
    try:
        env = ServerEnv(root, schemes={"alice": "PLAIN"})
        sasl = [line for line in greeting(env).split(b"\r\n") if line.startswith(b'"SASL"')]
        assert sasl == [b'"SASL" "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"']
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_session_after_the_quick_greeting_logs_as_before(server_env):
    out = server_env.run_pipes(b"NOOP\r\nLOGOUT\r\n")
    # The greeting, then NOOP's and LOGOUT's answers.
    assert out.endswith(b'"VERSION" "1.0"\r\nOK\r\nOK\r\nOK\r\n')
    log = server_env.log_text()
    assert "connect" in log
    assert "internal error" not in log
    assert "session ended: user=- " in log
    assert f"out={len(out)} " in log


@pytest.mark.parametrize("users", [1, 2000], ids=["small passwd-file", "passwd-file over 64 KiB"])
def test_login_after_the_quick_greeting(users):
    """The session logs in with the passwd-file bytes the quick start read (kept in memory, or, for a large file,
    read straight into the array the server keeps)."""
    roots = [traversable_tmp(), traversable_tmp()]
    try:
        quick, ordinary = ServerEnv(roots[0]), ServerEnv(roots[1])
        for env in (quick, ordinary):
            entry = env.passwd.read_text().splitlines()[0].split(":")
            extra = "".join(f"user{i}:{entry[1]}:{entry[2]}:{entry[3]}::/nonexistent/user{i}::\n" for i in range(users))
            env.passwd.write_text(env.passwd.read_text() + extra)
        if users > 1:
            assert quick.passwd.stat().st_size > 64 << 10
        ordinary.config.write_text(quoted(ordinary.config.read_text()))
        assert greeting(quick) == greeting(ordinary)
        login = b'AUTHENTICATE "PLAIN" "' + plain_b64("alice", "secret").encode() + b'"\r\nLOGOUT\r\n'
        out = quick.run_pipes(login)
        assert b"\r\nOK\r\n" in out and b"NO" not in out.split(b"\r\nOK\r\n", 1)[1]
        assert "internal error" not in quick.log_text()
        assert "user=alice" in quick.log_text()
    finally:
        for root in roots:
            shutil.rmtree(root, ignore_errors=True)
