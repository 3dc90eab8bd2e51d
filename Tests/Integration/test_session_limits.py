"""What a hostile client or user cannot do to the host (issue 14, items 1, 7, 8, 9), against the built server:
the :regex compile-cost budget, the resource limits of a logged-in session, the pre-login caps, the transcript
size cap, what the process keeps after the privilege drop, and supplementary groups."""

import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import IS_ROOT, SERVER, TEST_GID, TEST_UID, USERS, ServerEnv, hashed, plain_b64, traversable_tmp, wait_for_log
from test_limits import Client, peak_rss_kib

needs_root = pytest.mark.skipif(not IS_ROOT, reason="the privilege drop and its limits need root")


def regex_script(*keys: str) -> bytes:
    lines = ['require "regex";'] + [f'if header :regex "subject" "{k}" {{ keep; }}' for k in keys]
    return ("\r\n".join(lines) + "\r\n").encode()


def proc_limits(pid: int) -> dict[str, tuple[str, str]]:
    limits = {}
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]:
        m = re.match(r"^(.+?)\s{2,}(\S+)\s+(\S+)", line)
        if m:
            limits[m.group(1).strip()] = (m.group(2), m.group(3))
    return limits


def spawn_measured(env: ServerEnv, report: Path) -> Client:
    """A server over pipes under /usr/bin/time, which writes its peak RSS (KiB) to `report` when it exits.
    (A child's own ru_maxrss would include the forking Python's memory from before the exec.)"""
    proc = subprocess.Popen(
        ["/usr/bin/time", "-f", "%M", "-o", str(report), str(SERVER), "-c", str(env.config)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    return Client(proc=proc)


# Item 1: the regex compile-cost budget and the session's resource limits.

def test_regex_bounded_repetition_bomb_is_refused_quickly_naming_key_and_line(server_env):
    c = Client.spawn(server_env)
    c.login()
    started = time.monotonic()
    reply = c.putscript("bomb", regex_script("a{0,16000}"))
    one = time.monotonic() - started
    assert reply.status == "NO", reply
    assert b"a{0,16000}" in reply.text and b"line 2" in reply.text, reply.text
    started = time.monotonic()
    twenty = regex_script(*["a{0,16000}"] * 20)
    reply = c.command(f"CHECKSCRIPT {{{len(twenty)}+}}\r\n".encode() + twenty)
    many = time.monotonic() - started
    assert reply.status == "NO", reply
    assert b"line 2:" in reply.text and b"too expensive to compile" in reply.text, reply.text
    # Ordinary bounded repetitions are still accepted.
    assert c.putscript("fine", regex_script(*["a{0,255}"] * 20, "[a-z]{2,63}")).status == "OK"
    peak = peak_rss_kib(c.proc.pid)
    c.command("LOGOUT")
    c.close()
    print(f"a{{0,16000}}: {one * 1000:.0f} ms; 20 keys: {many * 1000:.0f} ms; session peak RSS {peak} KiB")
    assert one < 2 and many < 2
    assert peak < 48 * 1024, f"peak RSS {peak} KiB"


@needs_root
def test_logged_in_session_runs_under_address_space_cpu_and_core_limits(server_env):
    c = Client.spawn(server_env)
    before = proc_limits(c.proc.pid)
    assert before["Max core file size"] == ("0", "0")
    c.login()
    limits = proc_limits(c.proc.pid)
    c.command("LOGOUT")
    c.close()
    assert limits["Max address space"] == (str(256 << 20), str(256 << 20)), limits["Max address space"]
    soft, hard = limits["Max cpu time"]
    assert 60 <= int(soft) <= 62 and int(hard) == int(soft) + 1, (soft, hard)
    assert limits["Max core file size"] == ("0", "0")


def test_cpu_limit_ends_the_session_with_a_logged_error(env_root):
    env = ServerEnv(env_root, "managesieve_max_cpu = 1s\nsieve_max_script_size = 4M")
    c = Client.spawn(env, timeout=60)
    c.login()
    # A large valid script: each CHECKSCRIPT costs the server a good fraction of a second of CPU.
    body = b"".join(b'if header :contains "subject" "w%d" { fileinto "f%d"; }\r\n' % (i, i) for i in range(40000))
    script = b'require "fileinto";\r\n' + body
    deadline = time.monotonic() + 60
    ended = False
    while time.monotonic() < deadline:
        try:
            reply = c.command(f"CHECKSCRIPT {{{len(script)}+}}\r\n".encode() + script)
            assert reply.status == "OK", reply
        except (EOFError, BrokenPipeError, ConnectionResetError):
            ended = True
            break
    c.close()
    assert ended, "the session was never ended by its CPU limit"
    log = wait_for_log(env, r"session ended by signal SIGXCPU")
    assert "managesieve_max_cpu=1s" in log


# Item 7: pre-login resources.

def test_60_mb_literal_before_login_is_refused_at_its_header_with_bounded_memory(env_root):
    env = ServerEnv(env_root, "sieve_max_script_size = 0")
    report = env_root / "time.out"
    c = spawn_measured(env, report)
    size = 60 * 1000 * 1000
    header = f'PUTSCRIPT "x" {{{size}+}}\r\n'.encode()
    started = time.monotonic()

    def feed():
        try:
            c.send(header)
            chunk = b"x" * (1 << 20)
            for _ in range(size // len(chunk)):
                c.send(chunk)
            c.send(b"\r\n")
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    writer = threading.Thread(target=feed)
    writer.start()
    reply = c.read_reply()
    elapsed = time.monotonic() - started
    assert reply.status == "BYE", reply
    writer.join(timeout=30)
    c.proc.stdin.close()
    c.proc.wait(timeout=30)
    peak = int(report.read_text().split()[-1])
    print(f"60 MB literal before login: {reply.status} after {elapsed * 1000:.0f} ms, peak RSS {peak} KiB")
    assert elapsed < 5
    assert peak < 24 * 1024, f"peak RSS {peak} KiB"


def test_thousands_of_noops_before_login_end_the_session(server_env):
    c = Client.spawn(server_env)
    c.send(b"NOOP\r\n" * 3000)
    received = c.wait_closed(timeout=20)
    c.close()
    assert received.count(b"OK") == 100, received.count(b"OK")
    assert b"BYE" in received
    wait_for_log(server_env, r"too many commands before login \(100\)")


def test_a_transcript_stops_at_rawlog_max_size_with_one_log_line(env_root):
    raw = traversable_tmp()
    env = ServerEnv(env_root, f"rawlog_dir = {raw}\nrawlog_max_size = 20K")
    c = Client.spawn(env)
    c.login()
    c.send(b"NOOP\r\n" * 3000)
    for _ in range(3000):
        assert c.read_reply().status == "OK"
    c.command("LOGOUT")
    c.close()
    files = list(raw.glob("*.transcript"))
    assert len(files) == 1, files
    size = files[0].stat().st_size
    assert 20 * 1024 - 200 < size <= 20 * 1024 + 200, size
    assert "transcript stopped: rawlog_max_size" in files[0].read_text()
    log = wait_for_log(env, r"rawlog_max_size \(20480 bytes\) reached; transcript stopped")
    assert log.count("transcript stopped") == 1


# Item 8: what stays in the process.

@needs_root
def test_inherited_descriptors_are_closed_and_the_process_is_not_dumpable(server_env, tmp_path):
    marker = tmp_path / "inherited-marker"
    marker.write_text("launcher's file")
    fd = os.open(marker, os.O_RDONLY)
    try:
        proc = subprocess.Popen(
            [str(SERVER), "-c", str(server_env.config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, bufsize=0, pass_fds=(fd,))
    finally:
        os.close(fd)
    c = Client(proc=proc)
    c.login()
    targets = {}
    for entry in os.listdir(f"/proc/{proc.pid}/fd"):
        with_target = os.readlink(f"/proc/{proc.pid}/fd/{entry}")
        targets[int(entry)] = with_target
    status = Path(f"/proc/{proc.pid}/status").read_text()
    c.command("LOGOUT")
    c.close()
    assert str(marker) not in targets.values(), targets
    assert not any(server_env.passwd.name in t for t in targets.values()), targets
    assert re.search(r"^Uid:\s+1500\s", status, re.M)


@needs_root
def test_an_unprivileged_server_is_not_dumpable(server_env):
    """Started as the user itself (no drop to make the kernel clear dumpable): /proc/PID/* stay root's (the kernel
    gives a non-dumpable process's files to root; only the /proc/PID directory itself shows the real owner)."""
    os.chmod(server_env.config, 0o644)
    os.chmod(server_env.passwd, 0o644)
    proc = subprocess.Popen(
        ["setpriv", f"--reuid={TEST_UID}", f"--regid={TEST_GID}", "--clear-groups", str(SERVER), "-c",
         str(server_env.config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    c = Client(proc=proc)
    owner = os.stat(f"/proc/{proc.pid}/mem").st_uid
    c.command("LOGOUT")
    c.close()
    assert owner == 0, f"/proc/{proc.pid}/mem is owned by {owner}: the process is dumpable"


def readable_heap(pid: int) -> bytes:
    """The process's writable private mappings (heap, anonymous memory), read through /proc/PID/mem as root."""
    data = bytearray()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("rw") or (len(fields) > 5 and fields[5].startswith("/")):
                continue
            if len(fields) > 5 and fields[5] in ("[stack]", "[vvar]", "[vsyscall]"):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(start)
                data += mem.read(end - start)
            except OSError:
                pass
    return bytes(data)


@needs_root
@pytest.mark.parametrize("padding", [0, 3000], ids=["small-file", "indexed-file"])
def test_only_the_logged_in_users_passwd_entry_stays_in_memory(server_env, padding):
    if padding:
        # Over 64 KiB: the file is read through its index (or scanned in chunks), never whole.
        filler = "".join(f"user{i}:{{PLAIN}}filler-password-{i}:{TEST_UID}:{TEST_GID}::/nonexistent::\n"
                         for i in range(padding))
        server_env.passwd.write_text(server_env.passwd.read_text() + filler)
    bob_hash = server_env.passwd.read_text().split("bob:", 1)[1].split(":", 1)[0].encode()
    c = Client.spawn(server_env)
    c.login("alice")
    assert c.command("LISTSCRIPTS").status == "OK"
    memory = readable_heap(c.proc.pid)
    c.command("LOGOUT")
    c.close()
    assert len(memory) > 100_000
    assert bob_hash not in memory, "another user's password hash is still in the session's memory"
    assert b"bob:" not in memory
    assert b"filler-password-" not in memory


# Item 9: supplementary groups.

def set_groups(env: ServerEnv, user: str, groups: str):
    lines = []
    for line in env.passwd.read_text().splitlines():
        if line.startswith(user + ":"):
            line = f"{user}:{hashed(USERS[user])}:{TEST_UID}:{TEST_GID}::{env.home(user)}::groups={groups}"
        lines.append(line)
    env.passwd.write_text("\n".join(lines) + "\n")


@needs_root
def test_supplementary_group_0_cannot_log_in_and_a_valid_list_still_works(server_env):
    set_groups(server_env, "alice", "0,42")
    c = Client.spawn(server_env)
    reply = c.command(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", USERS["alice"])}"')
    c.close()
    assert reply.status == "NO", reply
    wait_for_log(server_env, r"supplementary group 0 not allowed to log in")

    set_groups(server_env, "alice", "42,1501")
    c = Client.spawn(server_env)
    c.login("alice")
    status = Path(f"/proc/{c.proc.pid}/status").read_text()
    c.command("LOGOUT")
    c.close()
    groups = re.search(r"^Groups:\s*(.*)$", status, re.M).group(1).split()
    assert sorted(groups) == sorted([str(TEST_GID), "42", "1501"]), groups


@needs_root
def test_supplementary_groups_outside_first_and_last_valid_gid_are_refused(env_root):
    env = ServerEnv(env_root, "first_valid_gid = 100\nlast_valid_gid = 2000")
    set_groups(env, "alice", "1501,5000")
    c = Client.spawn(env)
    reply = c.command(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", USERS["alice"])}"')
    c.close()
    assert reply.status == "NO", reply
    wait_for_log(env, r"supplementary group 5000 not allowed to log in")
