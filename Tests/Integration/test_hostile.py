"""Hostile input: one regression test per input class that caused CVEs in ManageSieve/IMAP servers (issue 7).

Each case runs the built managesieved over pipes as a logged-in user who already owns a script, sends the
hostile bytes, then (where the stream can still be framed) a NOOP and LOGOUT. Every case must end with a
clear NO or BYE, exit code 0, nothing on stderr, no hang (a timeout fails the test), and the user's existing
script untouched; nothing may appear outside the storage."""

import os
import re
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import SERVER, ServerEnv, plain_b64
from test_limits import peak_rss_kib

KEEP = b"# the user's precious script\r\nkeep;\r\n"
MEMORY_BOUND_KIB = 64 * 1024
PEAKS: list[int] = []
LOGIN = f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\n'.encode()


@pytest.fixture
def hostile_env(env_root):
    env = ServerEnv(env_root, extra_config="sieve_max_script_size = 2M")
    storage = env.storage("alice")
    storage.mkdir()
    (storage / "precious.sieve").write_bytes(KEEP)
    if os.geteuid() == 0:
        os.chown(storage, 1500, 1500)
        os.chown(storage / "precious.sieve", 1500, 1500)
    return env


def snapshot(env: ServerEnv) -> dict[str, bytes]:
    """Every file under the temporary root except the log and the lock file."""
    files = {}
    for dirpath, dirnames, filenames in os.walk(env.root):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, env.root)
            if rel in ("managesieved.log",) or name == ".managesieved.lock":
                continue
            files[rel] = os.readlink(path).encode() if os.path.islink(path) else open(path, "rb").read()
    return files


def session(env: ServerEnv, payload: bytes, *, login: bool = True, tail: bytes = b'NOOP "alive"\r\nLOGOUT\r\n',
            timeout: float = 30) -> bytes:
    """Runs one session; asserts a clean exit (code 0, nothing on stderr, within `timeout`). With the default
    tail, the server's peak RSS (VmHWM) is read once it has answered the NOOP, before LOGOUT, and bounded."""
    measure = tail.startswith(b'NOOP "alive"\r\n')
    first = (LOGIN if login else b"") + payload + (b'NOOP "alive"\r\n' if measure else tail)
    errors = tempfile.TemporaryFile()
    started = time.time()
    proc = subprocess.Popen([str(SERVER), "-c", str(env.config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=errors, bufsize=0)
    answered = threading.Event()

    def feed():
        try:
            proc.stdin.write(first)
            if measure:
                answered.wait(timeout)
                proc.stdin.write(tail[len(b'NOOP "alive"\r\n'):])
        except BrokenPipeError:
            pass  # the server ended the session (BYE) before reading everything
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed)
    writer.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    output = b""
    try:
        while True:
            chunk = os.read(proc.stdout.fileno(), 1 << 20)
            if not chunk:
                break
            output += chunk
            if measure and not answered.is_set() and b'OK (TAG "alive")\r\n' in output:
                peak = peak_rss_kib(proc.pid)
                PEAKS.append(peak)
                assert peak < MEMORY_BOUND_KIB, f"peak RSS {peak} KiB"
                answered.set()
        proc.wait()
    finally:
        timer.cancel()
        answered.set()
        writer.join()
        proc.stdout.close()
    elapsed = time.time() - started
    assert elapsed < timeout, "the server hung (killed by the test's timer)"
    assert proc.returncode == 0, f"exit code {proc.returncode} after {elapsed:.1f} s"
    errors.seek(0)
    assert errors.read() == b"", "the server wrote to stderr"
    return output


def status_lines(output: bytes) -> list[bytes]:
    """The response lines (OK/NO/BYE) after the greeting and the login, literals skipped."""
    lines = []
    rest = output
    while rest:
        line, _, rest = rest.partition(b"\r\n")
        m = re.search(rb"\{(\d+)\}$", line)
        if m:
            rest = rest[int(m.group(1)):]
        if re.match(rb"^(OK|NO|BYE)\b", line):
            lines.append(line)
    return lines[2:]  # greeting OK, login OK


def assert_untouched(env: ServerEnv, before: dict[str, bytes], allow_new_in_storage: bool = False):
    after = snapshot(env)
    assert after.get("home/alice/sieve/precious.sieve") == KEEP
    for path in set(after) - set(before):
        assert allow_new_in_storage and path.startswith("home/alice/sieve/"), f"unexpected new file {path}"
    for path in set(before) & set(after):
        assert before[path] == after[path], f"{path} changed"


# ---------------------------------------------------------------------------------------------------------
# Literal lengths


@pytest.mark.parametrize("header", [
    b"{4294967296+}",                 # 4 GiB: beyond what can be discarded sensibly
    b"{18446744073709551615+}",       # UInt64.max
    b"{18446744073709551616+}",       # UInt64.max + 1: overflow
    b"{99999999999999999999999999+}",  # 26 digits
    b"{-1+}",                         # negative
    b"{-4294967296}",
    b"{+}",
])
def test_huge_negative_or_overflowing_literal_length_ends_with_bye(hostile_env, header):
    before = snapshot(hostile_env)
    out = session(hostile_env, b'PUTSCRIPT "evil" ' + header + b"\r\nkeep;\r\n")
    lines = status_lines(out)
    assert lines and lines[0].startswith(b"BYE"), out
    assert len(lines) == 1, "nothing may be answered after BYE"
    assert_untouched(hostile_env, before)


@pytest.mark.parametrize("header", [b"{1e9+}", b"{0x10+}", b"{ 5+}", b"{5 +}"])
def test_literal_header_lookalikes_are_not_literals(hostile_env, header):
    """Not a literal header at all: the line is a command with a bad argument (NO), the session goes on."""
    before = snapshot(hostile_env)
    out = session(hostile_env, b'PUTSCRIPT "evil" ' + header + b"\r\n")
    lines = status_lines(out)
    assert lines[0].startswith(b"NO"), lines
    assert lines[1] == b'OK (TAG "alive")', lines
    assert_untouched(hostile_env, before)


def test_literal_length_with_leading_zeros_is_refused(hostile_env):
    before = snapshot(hostile_env)
    out = session(hostile_env, b'PUTSCRIPT "evil" {0005+}\r\nkeep;\r\n')
    assert status_lines(out)[0].startswith(b"BYE"), out
    assert_untouched(hostile_env, before)


@pytest.mark.parametrize("size", [b"4294967296", b"18446744073709551616", b"99999999999999999999999", b"-1", b"1e3"])
def test_havespace_number_overflow_is_refused(hostile_env, size):
    before = snapshot(hostile_env)
    out = session(hostile_env, b'HAVESPACE "a" ' + size + b"\r\n")
    lines = status_lines(out)
    assert lines[0].startswith(b"NO"), lines
    assert lines[1] == b'OK (TAG "alive")', lines
    assert_untouched(hostile_env, before)


def test_huge_sasl_literal_before_login(hostile_env):
    out = session(hostile_env, b'AUTHENTICATE "PLAIN" {18446744073709551615+}\r\nAAAA\r\n', login=False)
    assert re.search(rb"\r\nBYE [^\r]*\r\n$", out), out[-300:]


def test_unterminated_literal_at_eof(hostile_env):
    before = snapshot(hostile_env)
    started = time.time()
    out = session(hostile_env, b'PUTSCRIPT "evil" {100000+}\r\nkeep;\r\n', tail=b"")
    assert time.time() - started < 10
    assert status_lines(out) == [], out  # nothing to answer: the command never completed
    assert_untouched(hostile_env, before)


def test_unterminated_literal_before_login_at_eof(hostile_env):
    out = session(hostile_env, b'AUTHENTICATE "PLAIN" {1000+}\r\nAAAA', login=False, tail=b"")
    assert b"OK" in out.split(b"\r\n")[-2]  # only the greeting was answered
    # Above the fixed 64 KiB pre-login cap the literal ends the session at its header.
    out = session(hostile_env, b'AUTHENTICATE "PLAIN" {100000+}\r\nAAAA', login=False, tail=b"")
    assert out.split(b"\r\n")[-2].startswith(b"BYE"), out[-200:]


def test_literal_over_the_script_limit_is_consumed_not_executed(hostile_env):
    """The refused literal's content must never be read as commands (CVE class: literal smuggling)."""
    before = snapshot(hostile_env)
    body = b'DELETESCRIPT "precious"\r\n' * 100000  # 2.5 MB > 2M
    out = session(hostile_env, b'PUTSCRIPT "evil" {%d+}\r\n' % len(body) + body + b"\r\n")
    lines = status_lines(out)
    assert lines[0].startswith(b"NO (QUOTA/MAXSIZE)"), lines[:3]
    assert lines[1:] == [b'OK (TAG "alive")', b"OK"], lines[1:5]
    assert_untouched(hostile_env, before)


def test_non_script_literal_over_its_limit(hostile_env):
    before = snapshot(hostile_env)
    out = session(hostile_env, b"GETSCRIPT {100000+}\r\n" + b"a" * 100000 + b"\r\n")
    lines = status_lines(out)
    assert lines[0].startswith(b"NO"), lines
    assert lines[1].startswith(b"OK (TAG"), lines
    assert_untouched(hostile_env, before)


# ---------------------------------------------------------------------------------------------------------
# Quoted strings and lines


@pytest.mark.parametrize("quoted", [
    b'"pre\x00cious"', b'"pre\rcious"', b'"precious\r"', b'"pre\\xcious"', b'"' + b"p" * 5000 + b'"',
])
def test_nul_cr_bad_escape_or_overlong_quoted_string(hostile_env, quoted):
    before = snapshot(hostile_env)
    out = session(hostile_env, b"DELETESCRIPT " + quoted + b"\r\nPUTSCRIPT " + quoted + b' "keep;"\r\n')
    lines = status_lines(out)
    assert lines[0].startswith(b"NO") and lines[1].startswith(b"NO"), lines
    assert lines[2].startswith(b'OK (TAG "alive")'), lines
    assert_untouched(hostile_env, before)


def test_nul_inside_a_literal_script_name(hostile_env):
    before = snapshot(hostile_env)
    out = session(hostile_env, b'PUTSCRIPT {5+}\r\npre\x00c "keep;"\r\n')
    lines = status_lines(out)
    assert lines[0].startswith(b"NO"), lines
    assert_untouched(hostile_env, before)


@pytest.mark.parametrize("size", [65537, 1 << 20, 10 << 20])
def test_overlong_line_is_refused_and_the_session_goes_on(hostile_env, size):
    before = snapshot(hostile_env)
    out = session(hostile_env, b'NOOP "' + b"x" * size + b'"\r\n')
    lines = status_lines(out)
    assert lines[0].startswith(b"NO"), lines
    assert lines[1] == b'OK (TAG "alive")', lines
    assert_untouched(hostile_env, before)


def test_overlong_line_hiding_a_literal_header(hostile_env):
    """An over-long line that ends in a literal header: the literal is still consumed, not executed."""
    before = snapshot(hostile_env)
    out = session(hostile_env, b"NOOP " + b"x" * 70000 + b' {25+}\r\nDELETESCRIPT "precious"\r\n\r\n')
    lines = status_lines(out)
    assert lines[0].startswith(b"NO"), lines
    assert lines[1] == b'OK (TAG "alive")', lines
    assert_untouched(hostile_env, before)


def test_endless_line_without_newline_before_login(hostile_env):
    out = session(hostile_env, b"X" * (20 << 20), login=False, tail=b"")
    # Either the session refuses it on its own or simply ends at EOF: no crash, no hang (checked by session).
    assert out.startswith(b'"IMPLEMENTATION"')


def test_many_bad_commands_before_login_end_with_bye(hostile_env):
    out = session(hostile_env, b"BOGUS\r\n" * 1000, login=False)
    assert any(l.startswith(b"BYE") for l in out.split(b"\r\n")), out[-200:]
    assert out.count(b"\r\nNO ") <= 5


# ---------------------------------------------------------------------------------------------------------
# Hostile Sieve scripts


def putscript(name: bytes, content: bytes) -> bytes:
    return b'PUTSCRIPT "' + name + b'" {%d+}\r\n' % len(content) + content + b"\r\n"


@pytest.mark.parametrize("script", [
    pytest.param(b"if true {\n" * 100000 + b"}\n" * 100000, id="100000-nested-if"),
    pytest.param(b"if true {\n" * 100000, id="100000-unclosed-if"),
    pytest.param(b"if " + b"not " * 200000 + b"true { keep; }\n", id="200000-not"),
    pytest.param(b"if " + b"allof(" * 100000 + b"true" + b")" * 100000 + b" { keep; }\n", id="100000-allof"),
    pytest.param(b"if " + b"anyof(" * 100000 + b"\n", id="100000-unclosed-anyof"),
    pytest.param(b'require "relational";\nif header ' + b":is " * 100000 + b'"a" "b" { keep; }\n', id="100000-tags"),
    pytest.param(b'if header :is "a" [' + b'"x",' * 100000 + b'"y"] { keep; }\n', id="100000-strings"),
    pytest.param(b"keep " + b'"a" ' * 100000 + b";\n", id="100000-arguments"),
    pytest.param(b"{" * 200000, id="200000-braces"),
    pytest.param(b"[" * 200000, id="200000-brackets"),
    pytest.param(b"(" * 200000, id="200000-parens"),
    pytest.param(b"/*" * 100000, id="unterminated-comments"),
    pytest.param(b'require "variables";\nset "a" "' + b"${a}" * 100000 + b'";\n', id="100000-variables"),
    pytest.param(b'"' + b"\\" * 300000 + b'";', id="backslashes"),
    pytest.param(b"text:\n" + b".\n" * 200 + b"x" * 100, id="unterminated-text"),
    pytest.param(b"keep;\n" * 150000, id="150000-commands"),
])
def test_hostile_script_is_refused_or_accepted_without_crashing(hostile_env, script):
    before = snapshot(hostile_env)
    started = time.time()
    out = session(hostile_env, putscript(b"hostile", script) + b"CHECKSCRIPT {%d+}\r\n" % len(script) + script
                  + b"\r\n", timeout=60)
    elapsed = time.time() - started
    lines = status_lines(out)
    assert len(lines) == 4, lines
    assert lines[0].split(b" ")[0] == lines[1].split(b" ")[0], "PUTSCRIPT and CHECKSCRIPT must agree"
    assert lines[2] == b'OK (TAG "alive")'
    if lines[0].startswith(b"NO"):
        assert_untouched(hostile_env, before)
        # A refusal says why, briefly.
        assert len(lines[0]) < 4096
    else:
        assert (hostile_env.storage("alice") / "hostile.sieve").read_bytes() == script
    assert elapsed < 30, f"took {elapsed:.1f} s"


def test_ten_thousand_different_tags(hostile_env):
    tags = b" ".join(b":t%d" % i for i in range(10000))
    before = snapshot(hostile_env)
    out = session(hostile_env, putscript(b"tags", b"if header " + tags + b' "a" "b" { keep; }\n'))
    lines = status_lines(out)
    assert lines[0].startswith(b"NO"), lines
    assert len(lines[0]) < 4096  # errors are capped (managesieve_max_compile_errors)
    assert_untouched(hostile_env, before)


# ---------------------------------------------------------------------------------------------------------
# Script names


@pytest.mark.parametrize("name", [
    pytest.param(b"\xff\xfe", id="invalid-utf8"),
    pytest.param(b"abc\xc3", id="truncated-utf8"),
    pytest.param(b"\xc0\xaf", id="overlong-slash"),
    pytest.param(b"\xed\xa0\x80", id="surrogate"),
    pytest.param(b"a/b", id="slash"),
    pytest.param(b"../../../etc/passwd", id="traversal"),
    pytest.param(b"/etc/passwd", id="absolute"),
    pytest.param(b"x" * 1000, id="1000-octets"),
    pytest.param(b"\xc3\xa9" * 500, id="1000-octets-utf8"),
    pytest.param(b"a\x01b", id="control"),
    pytest.param(b"a\xc2\x85b", id="c1-control"),
    pytest.param(b"a\xe2\x80\xa8b", id="line-separator"),
])
def test_invalid_script_names_are_refused_everywhere(hostile_env, name):
    before = snapshot(hostile_env)
    lit = b"{%d+}\r\n" % len(name) + name
    commands = [
        b"PUTSCRIPT " + lit + b' "keep;"',
        b"HAVESPACE " + lit + b" 10",
        b"GETSCRIPT " + lit,
        b"SETACTIVE " + lit,
        b"DELETESCRIPT " + lit,
        b'RENAMESCRIPT "precious" ' + lit,
        b"RENAMESCRIPT " + lit + b' "other"',
    ]
    out = session(hostile_env, b"".join(c + b"\r\n" for c in commands))
    lines = status_lines(out)
    assert len(lines) == len(commands) + 2, lines
    for command, line in zip(commands, lines):
        assert line.startswith(b"NO"), (command[:40], line)
    assert_untouched(hostile_env, before)


@pytest.mark.parametrize("name", [b"..", b".", b".hidden", b".managesieved.lock", b"precious.sieve", b"-", b"~"])
def test_odd_but_valid_names_stay_inside_the_storage(hostile_env, name):
    """'..', '.', dot files and the lock file's name are valid script names (RFC 5804): they must map to
    files inside the storage, round-trip, and never clobber the lock file or another script."""
    before = snapshot(hostile_env)
    content = b"# " + name + b"\r\nkeep;\r\n"
    out = session(hostile_env, putscript(name, content) + b'GETSCRIPT "' + name + b'"\r\nLISTSCRIPTS\r\n'
                  + b'DELETESCRIPT "' + name + b'"\r\n')
    lines = status_lines(out)
    assert lines[:3] == [b"OK", b"OK", b"OK"] or lines[0].startswith(b"NO"), lines
    if lines[0] == b"OK":
        assert content in out
        assert b'"' + name + b'"\r\n' in out
        assert lines[3] == b"OK", lines
    assert_untouched(hostile_env, before, allow_new_in_storage=True)
    storage = hostile_env.storage("alice")
    assert (storage / ".managesieved.lock").is_file() or not (storage / ".managesieved.lock").exists()
    assert not any(p.name.endswith(".tmp") for p in storage.iterdir())


# ---------------------------------------------------------------------------------------------------------
# The fuzz corpora (fuzz/corpus/<target>/, plus any regression inputs) replayed through the fuzz targets'
# checks, built as plain executables by `swift build` (see TESTING.md; `make fuzz` runs libFuzzer on them).


@pytest.mark.parametrize("target,directory", [("FuzzProtocol", "protocol"), ("FuzzCompiler", "compiler")])
def test_fuzz_corpus_replays_cleanly(target, directory):
    from conftest import BIN_DIR, ROOT
    binary = BIN_DIR / target
    if not binary.exists():
        pytest.fail(f"{binary} is not built (swift build builds it)")
    inputs = sorted(str(p) for p in (ROOT / "fuzz" / "corpus" / directory).iterdir())
    assert len(inputs) >= 20
    proc = subprocess.run([str(binary), *inputs], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{len(inputs)} inputs replayed, no failure".encode() in proc.stdout


def test_zz_memory_figures():
    """Runs last in this file: the largest peak RSS of all hostile sessions above (each was also checked)."""
    assert PEAKS, "no session ran"
    print(f"hostile input: {len(PEAKS)} sessions, largest peak RSS {max(PEAKS)} KiB")
    assert max(PEAKS) < MEMORY_BOUND_KIB
