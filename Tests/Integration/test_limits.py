"""Quotas, resource bounds and time limits at the protocol level, against the built binary (issue 7).

Every test runs the real managesieved over pipes or through socat on 127.0.0.1 with a temporary config.
The small `Client` here (a blocking ManageSieve client that understands literals) is shared with
test_stress.py, test_crash.py and test_hostile.py."""

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import SERVER, TEST_GID, TEST_UID, USERS, ServerEnv, Socat, hashed, plain_b64, wait_for_log

SCRIPT = b'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n'


def script_of_size(size: int, tag: str = "") -> bytes:
    """A valid Sieve script of exactly `size` octets (size >= 16): `keep;` and a padding comment."""
    head = f"keep; # {tag}".encode()
    assert size >= len(head) + 2
    return head + b"x" * (size - len(head) - 2) + b"\r\n"


class Reply:
    def __init__(self, status: str, code: str | None, text: bytes | None, lines: list[list[bytes]]):
        self.status, self.code, self.text, self.lines = status, code, text, lines

    def __repr__(self):
        return f"Reply({self.status} ({self.code}) {self.text!r}, {len(self.lines)} lines)"


class Client:
    """A blocking ManageSieve client over a socket or a pair of pipes (a Popen'ed server)."""

    def __init__(self, *, port: int | None = None, proc: subprocess.Popen | None = None, timeout: float = 20):
        self.proc = proc
        self.sock = None
        if port is not None:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.timeout = timeout
        self.greeting = self.read_reply()

    @classmethod
    def spawn(cls, env: ServerEnv, timeout: float = 20):
        proc = subprocess.Popen(
            [str(SERVER), "-c", str(env.config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, bufsize=0)
        return cls(proc=proc, timeout=timeout)

    # Transport.
    def send(self, data: bytes):
        if self.sock is not None:
            self.sock.sendall(data)
        else:
            self.proc.stdin.write(data)

    def _recv(self) -> bytes:
        if self.sock is not None:
            return self.sock.recv(65536)
        import select
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        if not ready:
            raise TimeoutError("server did not answer in time")
        return os.read(self.proc.stdout.fileno(), 65536)

    def _fill(self):
        chunk = self._recv()
        if not chunk:
            raise EOFError(f"server closed the connection; unread: {self.buffer!r}")
        self.buffer += chunk

    def read_line(self) -> list[bytes]:
        """One response line as parts: text segments and literal contents alternate (literals as-is)."""
        parts = []
        while True:
            while b"\r\n" not in self.buffer:
                self._fill()
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            m = re.search(rb"\{(\d+)\}$", line)
            if not m:
                parts.append(line)
                return parts
            parts.append(line[: m.start()])
            size = int(m.group(1))
            while len(self.buffer) < size:
                self._fill()
            parts.append(self.buffer[:size])
            self.buffer = self.buffer[size:]

    def read_reply(self) -> Reply:
        lines = []
        while True:
            parts = self.read_line()
            head = parts[0]
            m = re.match(rb"^(OK|NO|BYE)(?: \(([^)\"]*(?:\"[^\"]*\")?)\))?(?: (.*))?$", head)
            if m:
                text = m.group(3)
                if len(parts) > 1:
                    text = parts[1]
                elif text is not None and text.startswith(b'"'):
                    text = text[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
                code = m.group(2).decode() if m.group(2) else None
                return Reply(m.group(1).decode(), code, text, lines)
            lines.append(parts)

    def command(self, data: bytes | str) -> Reply:
        if isinstance(data, str):
            data = data.encode()
        self.send(data + b"\r\n")
        return self.read_reply()

    # Commands.
    def login(self, user: str = "alice", password: str | None = None) -> Reply:
        reply = self.command(f'AUTHENTICATE "PLAIN" "{plain_b64(user, password or USERS[user])}"')
        assert reply.status == "OK", reply
        return reply

    def putscript(self, name: str, content: bytes) -> Reply:
        return self.command(f'PUTSCRIPT "{name}" {{{len(content)}+}}\r\n'.encode() + content)

    def getscript(self, name: str) -> bytes | None:
        reply = self.command(f'GETSCRIPT "{name}"')
        if reply.status != "OK":
            return None
        return reply.lines[0][1]

    def listscripts(self) -> dict[str, bool]:
        reply = self.command("LISTSCRIPTS")
        assert reply.status == "OK", reply
        result = {}
        for parts in reply.lines:
            line = parts[0] if len(parts) == 1 else parts[1] + parts[2]
            if len(parts) == 1:
                m = re.match(rb'^"(.*)"( ACTIVE)?$', line)
                result[m.group(1).decode()] = bool(m.group(2))
            else:
                result[parts[1].decode()] = parts[2] == b" ACTIVE"
        return result

    def close(self):
        try:
            if self.sock is not None:
                self.sock.close()
            else:
                self.proc.stdin.close()
                self.proc.wait(timeout=20)
        except Exception:
            pass

    def wait_closed(self, timeout: float = 10) -> bytes:
        """Reads until the server closes the connection; returns what it sent in the meantime."""
        deadline = time.time() + timeout
        received = self.buffer
        self.buffer = b""
        while time.time() < deadline:
            try:
                chunk = self._recv()
            except (ConnectionResetError, TimeoutError, socket.timeout):
                break
            if not chunk:
                return received
            received += chunk
        raise AssertionError(f"server did not close the connection within {timeout} s; got {received!r}")


def set_extra_fields(env: ServerEnv, user: str, extra: str):
    """Rewrites `user`'s passwd-file line with Dovecot-style extra fields (`key=value key=value`)."""
    lines = []
    for line in env.passwd.read_text().splitlines():
        if line.startswith(user + ":"):
            home = env.home(user)
            line = f"{user}:{hashed(USERS[user])}:{TEST_UID}:{TEST_GID}::{home}::{extra}"
        lines.append(line)
    env.passwd.write_text("\n".join(lines) + "\n")


def storage_files(env: ServerEnv, user: str = "alice") -> dict[str, bytes]:
    storage = env.storage(user)
    if not storage.exists():
        return {}
    return {p.name: p.read_bytes() for p in storage.iterdir() if p.name not in (".managesieved.lock", ".managesieved.history")}


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def quota_env(env_root):
    return ServerEnv(env_root, extra_config=(
        "sieve_max_script_size = 1K\nsieve_quota_max_scripts = 3\nsieve_quota_max_storage = 2K"))


# ---------------------------------------------------------------------------------------------------------
# Quotas


def test_putscript_over_max_size_is_refused_before_anything_is_written(quota_env):
    c = Client.spawn(quota_env)
    c.login()
    reply = c.putscript("big", script_of_size(1025))
    assert (reply.status, reply.code) == ("NO", "QUOTA/MAXSIZE"), reply
    assert storage_files(quota_env) == {}
    # Exactly at the limit is fine; the literal was consumed, the session goes on.
    assert c.putscript("big", script_of_size(1024)).status == "OK"
    assert set(storage_files(quota_env)) == {"big.sieve"}
    c.close()


def test_max_scripts_counts_only_new_names(quota_env):
    c = Client.spawn(quota_env)
    c.login()
    for name in ("a", "b", "c"):
        assert c.putscript(name, b"keep;\r\n").status == "OK"
    reply = c.putscript("d", b"keep;\r\n")
    assert (reply.status, reply.code) == ("NO", "QUOTA/MAXSCRIPTS"), reply
    assert "d.sieve" not in storage_files(quota_env)
    # Replacing an existing script adds no script.
    assert c.putscript("a", b"discard;\r\n").status == "OK"
    # RENAMESCRIPT keeps the count; after a DELETESCRIPT there is room again.
    assert c.command('RENAMESCRIPT "c" "d"').status == "OK"
    assert c.command('DELETESCRIPT "d"').status == "OK"
    assert c.putscript("e", b"keep;\r\n").status == "OK"
    assert sorted(storage_files(quota_env)) == ["a.sieve", "b.sieve", "e.sieve"]
    c.close()


def test_max_storage_counts_the_difference_when_replacing(quota_env):
    c = Client.spawn(quota_env)
    c.login()
    assert c.putscript("a", script_of_size(1000, "a")).status == "OK"
    assert c.putscript("b", script_of_size(1000, "b")).status == "OK"
    reply = c.putscript("c", script_of_size(100, "c"))  # 2100 > 2048
    assert (reply.status, reply.code) == ("NO", "QUOTA/MAXSTORAGE"), reply
    # Replacing a (1000) with 1024 octets: 2024 in all, fits though 2000 + 1024 would not.
    assert c.putscript("a", script_of_size(1024, "a2")).status == "OK"
    # Shrinking b makes room for c.
    assert c.putscript("b", script_of_size(500, "b2")).status == "OK"
    assert c.putscript("c", script_of_size(100, "c")).status == "OK"
    files = storage_files(quota_env)
    assert {k: len(v) for k, v in files.items()} == {"a.sieve": 1024, "b.sieve": 500, "c.sieve": 100}
    c.close()


def test_havespace_answers_like_putscript_would(quota_env):
    c = Client.spawn(quota_env)
    c.login()
    assert c.command('HAVESPACE "a" 1024').status == "OK"
    r = c.command('HAVESPACE "a" 1025')
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSIZE")
    r = c.command('HAVESPACE "a" 4294967295')
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSIZE")
    assert c.putscript("a", script_of_size(1000)).status == "OK"
    assert c.putscript("b", script_of_size(1000)).status == "OK"
    r = c.command('HAVESPACE "c" 100')
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSTORAGE")
    assert c.command('HAVESPACE "a" 1024').status == "OK"  # replacing: only the difference counts
    assert c.command('HAVESPACE "c" 48').status == "OK"
    assert c.putscript("c", script_of_size(48)).status == "OK"
    r = c.command('HAVESPACE "d" 1')
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSCRIPTS")
    assert c.command('HAVESPACE "c" 20').status == "OK"
    # HAVESPACE changed nothing.
    assert sorted(storage_files(quota_env)) == ["a.sieve", "b.sieve", "c.sieve"]
    c.close()


def test_per_user_quota_overrides_from_passwd_extra_fields(env_root):
    env = ServerEnv(env_root, extra_config=(
        "sieve_max_script_size = 1K\nsieve_quota_max_scripts = 2\nsieve_quota_max_storage = 10M"))
    set_extra_fields(env, "alice", "sieve_quota_max_storage=600 sieve_quota_max_scripts=5 sieve_max_script_size=400")
    c = Client.spawn(env)
    c.login("alice")
    r = c.putscript("a", script_of_size(401))
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSIZE"), r
    assert c.putscript("a", script_of_size(400)).status == "OK"
    r = c.putscript("b", script_of_size(300))
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSTORAGE"), r
    for name in "bcd":
        assert c.putscript(name, script_of_size(50)).status == "OK"  # 4 scripts > the global 2
    r = c.command('HAVESPACE "e" 401')
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSIZE"), r
    c.close()
    # bob keeps the global limits.
    c = Client.spawn(env)
    c.login("bob")
    assert c.putscript("a", script_of_size(1000)).status == "OK"
    assert c.putscript("b", b"keep;\r\n").status == "OK"
    r = c.putscript("c", b"keep;\r\n")
    assert (r.status, r.code) == ("NO", "QUOTA/MAXSCRIPTS"), r
    c.close()


def test_per_user_override_with_size_suffix(env_root):
    env = ServerEnv(env_root, extra_config="sieve_quota_max_storage = 1K")
    set_extra_fields(env, "alice", "sieve_quota_max_storage=10M")
    c = Client.spawn(env)
    c.login("alice")
    for name in "ab":
        assert c.putscript(name, script_of_size(1000)).status == "OK"  # 2000 > the global 1K
    c.close()


def test_huge_literal_over_the_limit_is_not_buffered(env_root):
    """100 MB to a 1 MB limit: refused with QUOTA/MAXSIZE, and the server's peak RSS stays small."""
    env = ServerEnv(env_root, extra_config="sieve_max_script_size = 1M")
    c = Client.spawn(env, timeout=60)
    c.login()
    total = 100 << 20
    c.send(f'PUTSCRIPT "huge" {{{total}+}}\r\n'.encode())
    block = b"# " + b"x" * 65533 + b"\n"
    sent = 0
    while sent < total:
        piece = block[: min(len(block), total - sent)]
        c.send(piece)
        sent += len(piece)
    c.send(b"\r\n")
    reply = c.read_reply()
    assert (reply.status, reply.code) == ("NO", "QUOTA/MAXSIZE"), reply
    assert c.command('NOOP "alive"').status == "OK"
    peak = peak_rss_kib(c.proc.pid)
    print(f"peak RSS after a refused 100 MB literal: {peak} KiB")
    assert peak < 64 * 1024, f"peak RSS {peak} KiB while receiving a 100 MB literal"
    assert storage_files(env) == {}
    c.command("LOGOUT")
    c.close()
    assert c.proc.returncode == 0


def test_literal_within_a_large_limit_uses_bounded_memory(env_root):
    """An accepted 8 MB script: memory is a small multiple of the script, not of the stream."""
    env = ServerEnv(env_root, extra_config="sieve_max_script_size = 8M\nsieve_quota_max_storage = 0")
    c = Client.spawn(env, timeout=120)
    c.login()
    content = script_of_size(8 << 20)
    assert c.putscript("big", content).status == "OK"
    peak = peak_rss_kib(c.proc.pid)
    print(f"peak RSS after an accepted 8 MiB script: {peak} KiB")
    assert peak < 4 * 8 * 1024 + 16 * 1024, f"peak RSS {peak} KiB for an 8 MiB script"
    assert (env.storage("alice") / "big.sieve").read_bytes() == content
    c.close()


def test_pipelined_getscripts_do_not_pile_up_in_memory(env_root):
    """300 GETSCRIPTs of a 1 MiB script sent in one write: the answers are written as they are produced,
    not collected (before the fix the server peaked at 540 MB here)."""
    env = ServerEnv(env_root, extra_config="sieve_max_script_size = 1M")
    c = Client.spawn(env, timeout=120)
    c.login()
    content = script_of_size(1 << 20)
    assert c.putscript("big", content).status == "OK"
    count = 300
    c.send(b'GETSCRIPT "big"\r\n' * count)
    for _ in range(count):
        reply = c.read_reply()
        assert reply.status == "OK" and reply.lines[0][1] == content
    peak = peak_rss_kib(c.proc.pid)
    print(f"peak RSS after {count} pipelined 1 MiB GETSCRIPTs: {peak} KiB")
    assert peak < 64 * 1024, f"peak RSS {peak} KiB"
    c.close()


def test_a_client_that_stops_reading_is_disconnected(env_root):
    # Writes are bounded by managesieve_command_timeout: fd 1 is non-blocking and a write that makes no
    # progress for that long ends the session.
    env = ServerEnv(env_root, extra_config="managesieve_command_timeout = 1 s\nsieve_max_script_size = 1M")
    c = Client.spawn(env)
    c.login()
    assert c.putscript("big", script_of_size(1 << 20)).status == "OK"
    c.send(b'GETSCRIPT "big"\r\n' * 20)  # 20 MiB of answers that are never read
    deadline = time.time() + 6
    while time.time() < deadline and c.proc.poll() is None:
        time.sleep(0.1)
    exited = c.proc.poll() is not None
    c.proc.kill()
    c.proc.wait()
    assert exited, "the server still waits to write to a client that stopped reading"
    wait_for_log(env, r"session ended: user=alice .*reason=write error")


# ---------------------------------------------------------------------------------------------------------
# Time limits and the command bound


def test_idle_timeout_ends_the_session_with_bye(env_root):
    env = ServerEnv(env_root, extra_config="managesieve_idle_timeout = 1 s")
    c = Client.spawn(env)
    c.login()
    started = time.time()
    rest = c.wait_closed(timeout=10)
    assert 0.8 <= time.time() - started < 5
    assert rest.startswith(b'BYE "Disconnected for inactivity."'), rest
    wait_for_log(env, r"session ended: user=alice .*reason=idle timeout")
    c.close()
    assert c.proc.returncode == 0


def test_login_timeout_counts_from_the_start_even_with_activity(env_root):
    env = ServerEnv(env_root, extra_config="managesieve_login_timeout = 1 s")
    c = Client.spawn(env)
    started = time.time()
    # Activity before login does not extend the login timeout.
    with pytest.raises((EOFError, BrokenPipeError)):
        for _ in range(40):
            reply = c.command("NOOP")
            if reply.status == "BYE":
                raise EOFError(reply)
            time.sleep(0.1)
    assert time.time() - started < 3
    wait_for_log(env, r"reason=login timeout")
    c.close()
    assert c.proc.returncode == 0


def test_login_timeout_silent_client(env_root):
    env = ServerEnv(env_root, extra_config="managesieve_login_timeout = 1 s")
    c = Client.spawn(env)
    started = time.time()
    rest = c.wait_closed(timeout=10)
    assert time.time() - started < 5
    assert rest.startswith(b'BYE "Timed out waiting for login."'), rest
    wait_for_log(env, r"reason=login timeout")


def test_command_timeout_bounds_a_slow_drip_literal(env_root):
    """A client dripping one byte every 200 ms never waits 1 s between reads, yet the whole command
    may take at most managesieve_command_timeout."""
    env = ServerEnv(env_root, extra_config="managesieve_command_timeout = 1 s\nmanagesieve_idle_timeout = 30 s")
    c = Client.spawn(env)
    c.login()
    c.send(b'PUTSCRIPT "drip" {100+}\r\n')
    started = time.time()
    closed = False
    try:
        for _ in range(100):
            c.send(b"#")
            time.sleep(0.2)
            if c.proc.poll() is not None:
                closed = True
                break
    except BrokenPipeError:
        closed = True
    assert closed, "a slow-drip client kept the command open for 20 s"
    assert time.time() - started < 8  # 1 s allowed; generous for a loaded machine, far below the 20 s drip
    rest = c.wait_closed(timeout=5)
    assert b'BYE "Timed out waiting for the rest of the command."' in rest, rest
    wait_for_log(env, r"reason=command timeout")
    assert storage_files(env) == {}


def test_command_timeout_slow_line_without_literal(env_root):
    env = ServerEnv(env_root, extra_config="managesieve_command_timeout = 1 s\nmanagesieve_idle_timeout = 30 s")
    c = Client.spawn(env)
    c.login()
    started = time.time()
    try:
        for byte in b'NOOP "' + b"x" * 100:
            c.send(bytes([byte]))
            time.sleep(0.2)
            if c.proc.poll() is not None:
                break
    except BrokenPipeError:
        pass
    assert time.time() - started < 8  # 1 s allowed; generous for a loaded machine, far below the 20 s drip
    assert b"BYE" in c.wait_closed(timeout=5)


def test_a_fast_client_is_not_cut_by_the_command_timeout(env_root):
    """Whole commands sent promptly, with pauses between them shorter than the idle timeout, are fine."""
    env = ServerEnv(env_root, extra_config="managesieve_command_timeout = 1 s\nmanagesieve_idle_timeout = 3 s")
    c = Client.spawn(env)
    c.login()
    for _ in range(3):
        time.sleep(1.3)
        assert c.command("NOOP").status == "OK"
    assert c.putscript("a", script_of_size(50000)).status == "OK"
    c.command("LOGOUT")
    c.close()


def test_max_commands_ends_the_session(env_root):
    env = ServerEnv(env_root, extra_config="managesieve_max_commands = 5")
    c = Client.spawn(env)
    c.login()  # 1
    for _ in range(4):  # 2..5
        assert c.command("NOOP").status == "OK"
    reply = c.command("NOOP")
    assert reply.status == "BYE", reply
    wait_for_log(env, r"too many commands")
    c.wait_closed()
    c.close()
    assert c.proc.returncode == 0


def test_timeouts_through_socat(env_root):
    """Over a real TCP connection (socat, as inetd): the idle timeout closes the socket."""
    env = ServerEnv(env_root, extra_config="managesieve_idle_timeout = 1 s")
    server = Socat(env)
    try:
        c = Client(port=server.port)
        c.login()
        rest = c.wait_closed(timeout=10)
        assert rest.startswith(b"BYE"), rest
    finally:
        server.close()
