"""Crash safety (issue 7): kill -9 of the server at random instants during PUTSCRIPT (of large scripts),
RENAMESCRIPT, DELETESCRIPT and SETACTIVE, 100 times in a row on one storage. After each kill the storage must be
in the state before the command or the state after it (temporary files aside), and a following session must
work normally and clean the dead session's temporary files up with its next write. A script that a PUTSCRIPT
replaced or a DELETESCRIPT removed is then kept in the version history (.managesieved.history): its old content
is current or kept, never neither.

Renaming the ACTIVE script is a hard link, a swap of the active link, then an unlink
(FileScriptStore.renameScript); a crash between the steps leaves both names on disk. The store shows such a
storage as the before state (link still on the old name) or the after state (link on the new name) and
removes the extra name at its next locked write: the test checks both, through a session and on disk."""

import os
import random
import signal
import subprocess
import time

from conftest import SERVER, ServerEnv
from test_limits import Client

ITERATIONS = 100


def big_script(tag: str, size: int) -> bytes:
    head = f"# crash test {tag}\r\n".encode()
    line = b"# " + b"x" * 76 + b"\r\n"
    body = line * ((size - len(head)) // len(line))
    return head + body + b"keep;\r\n"


def state(env: ServerEnv) -> tuple[dict[str, bytes], str | None]:
    storage = env.storage("alice")
    files = {}
    if storage.exists():
        for p in storage.iterdir():
            if p.name.endswith(".sieve") and not p.name.startswith("."):
                files[p.name[: -len(".sieve")]] = p.read_bytes()
    link = env.home("alice") / ".dovecot.sieve"
    active = None
    if link.is_symlink():
        target = os.readlink(link)
        assert target.startswith("sieve/") and target.endswith(".sieve"), target
        active = target[len("sieve/"): -len(".sieve")]
        assert active in files, f"dangling active link -> {target}"
    else:
        assert not link.exists()
    return files, active


def kept_versions(env: ServerEnv, name: str) -> list[bytes]:
    directory = env.storage("alice") / ".managesieved.history" / f"{name}.sieve"
    return [p.read_bytes() for p in directory.iterdir()] if directory.is_dir() else []


def temporaries(env: ServerEnv) -> list[str]:
    found = []
    for directory in (env.storage("alice"), env.home("alice")):
        if directory.exists():
            found += [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]
    return found


def apply(op, files: dict, active):
    """The state after `op` if it succeeds (or the same state if the server must refuse it)."""
    files = dict(files)
    kind = op[0]
    if kind == "PUT":
        files[op[1]] = op[2]
    elif kind == "DEL":
        if op[1] in files and op[1] != active:
            del files[op[1]]
    elif kind == "REN":
        old, new = op[1], op[2]
        if old in files and new not in files:
            files[new] = files.pop(old)
            if active == old:
                active = new
    elif kind == "ACT":
        if op[1] is None:
            active = None
        elif op[1] in files:
            active = op[1]
    return files, active


def command_bytes(op) -> bytes:
    kind = op[0]
    if kind == "PUT":
        return f'PUTSCRIPT "{op[1]}" {{{len(op[2])}+}}\r\n'.encode() + op[2] + b"\r\n"
    if kind == "DEL":
        return f'DELETESCRIPT "{op[1]}"\r\n'.encode()
    if kind == "REN":
        return f'RENAMESCRIPT "{op[1]}" "{op[2]}"\r\n'.encode()
    return f'SETACTIVE "{op[1] or ""}"\r\n'.encode()


def choose(rng: random.Random, files: dict, active, iteration: int):
    names = ["a", "b", "c", "d", "e"]
    r = rng.random()
    if r < 0.45 or not files:
        return ("PUT", rng.choice(names), big_script(f"{iteration}", rng.randint(50_000, 600_000)))
    existing = sorted(files)
    if r < 0.65:
        # Renaming the active script is the interesting case: prefer it.
        old = active if active and rng.random() < 0.6 else rng.choice(existing)
        free = [n for n in names if n not in files] or ["z"]
        return ("REN", old, rng.choice(free))
    if r < 0.80:
        inactive = [n for n in existing if n != active] or existing
        return ("DEL", rng.choice(inactive))
    return ("ACT", None if rng.random() < 0.2 else rng.choice(existing))


def follow_up(env: ServerEnv, files: dict, active):
    """A normal session after the crash: sees what is on disk, and its writes clean up stale temporaries."""
    # Generous: on a loaded disk each of the session's directory fsyncs may wait seconds for the journal.
    c = Client.spawn(env, timeout=60)
    c.login()
    listed = c.listscripts()
    assert set(listed) == set(files)
    assert [n for n, a in listed.items() if a] == ([active] if active else [])
    for name, content in files.items():
        assert c.getscript(name) == content
    assert c.putscript("probe", b"keep;\r\n").status == "OK"
    assert c.command('DELETESCRIPT "probe"').status == "OK"
    # Replacing the active link cleans stale link temporaries; restore the activation afterwards.
    if active:
        assert c.command(f'SETACTIVE "{active}"').status == "OK"
    elif files:
        assert c.command(f'SETACTIVE "{sorted(files)[0]}"').status == "OK"
        assert c.command('SETACTIVE ""').status == "OK"
    c.command("LOGOUT")
    c.close()
    assert c.proc.returncode == 0


def test_kill_9_loop_leaves_before_or_after_state(env_root):
    env = ServerEnv(env_root, extra_config="sieve_max_script_size = 4M")
    rng = random.Random(20261127)
    # Seed the storage and measure how long a large upload takes, to spread the kills over it.
    c = Client.spawn(env, timeout=60)
    c.login()
    assert c.putscript("a", big_script("seed-a0", 600_000)).status == "OK"
    # Timed as most uploads of the loop run: replacing a script, so its old version goes to the history first.
    started = time.time()
    assert c.putscript("a", big_script("seed-a", 600_000)).status == "OK"
    upload_time = time.time() - started
    assert c.putscript("b", big_script("seed-b", 100_000)).status == "OK"
    assert c.command('SETACTIVE "a"').status == "OK"
    c.command("LOGOUT")
    c.close()

    outcomes = {"before": 0, "after": 0, "both names (active rename)": 0}
    kinds = {}
    for iteration in range(ITERATIONS):
        files, active = state(env)
        op = choose(rng, files, active, iteration)
        kinds[op[0]] = kinds.get(op[0], 0) + 1
        after = apply(op, files, active)
        proc = subprocess.Popen([str(SERVER), "-c", str(env.config)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        client = Client(proc=proc, timeout=30)
        client.login()
        data = command_bytes(op)
        # Kill right after the last byte, or at a random instant while the command is being served.
        delay = 0 if rng.random() < 0.2 else rng.random() * (upload_time * 1.3 if op[0] == "PUT" else 0.05)
        try:
            proc.stdin.write(data)
        except BrokenPipeError:
            pass
        if delay:
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        # The kill takes effect when the server leaves the fsync it may be in, which on a loaded disk can last
        # seconds (a replacing upload or a delete fsyncs the history's directories too).
        proc.wait(timeout=60)
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()

        now = state(env)
        if now == (files, active):
            outcomes["before"] += 1
        elif now == after:
            outcomes["after"] += 1
            if op[0] in ("PUT", "DEL") and op[1] in files:
                assert files[op[1]] in kept_versions(env, op[1]), f"iteration {iteration}: {op[:2]} kept no version"
                outcomes["retired and kept"] = outcomes.get("retired and kept", 0) + 1
        else:
            now_files, now_active = now
            # The documented intermediate state of renaming the active script.
            assert op[0] == "REN" and active == op[1], f"iteration {iteration}: {op[:2]} left neither state"
            old, new = op[1], op[2]
            assert now_files == {**files, new: files[old]}, f"iteration {iteration}: partial rename"
            assert now_active in (old, new)
            outcomes["both names (active rename)"] += 1
            # Sessions see the before or the after state, and the next write removes the extra name.
            shown = (files, active) if now_active == old else after
            follow_up(env, *shown)
            assert state(env) == shown, f"iteration {iteration}: the interrupted rename was not repaired"
            now = shown
        if temporaries(env):
            outcomes["stale temporaries"] = outcomes.get("stale temporaries", 0) + 1
        follow_up(env, *now)
        assert temporaries(env) == [], f"iteration {iteration}: stale temporaries not cleaned up"
    print(f"crash: {ITERATIONS} kills, operations {kinds}, outcomes {outcomes}")
    assert outcomes["before"] > 0 and outcomes["after"] > 0 and outcomes.get("retired and kept", 0) > 0
