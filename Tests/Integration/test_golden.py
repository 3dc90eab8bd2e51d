"""Golden transcripts: one scenario per file in golden/, run against the built binary over pipes.

File format (one protocol line per file line):
    # comment                  ignored
    @config key = value        extra configuration line for this scenario
    @file USER PATH CONTENT    create a file under USER's home before the session (\\n escapes allowed)
    @symlink USER PATH TARGET  create a symlink under USER's home
    @expect-file USER PATH CONTENT   after the session, the file must hold exactly this (or MISSING)
    C: text                    client line, CRLF appended
    C~ text                    client bytes without CRLF
    S: text                    expected server line (CRLF implied)
Escapes in C:/S:/@file text: \\r \\n \\t \\xHH \\\\ .
Run with GOLDEN_RECORD=1 to rewrite the S: lines from the real output (the run then fails so
that a human reviews the diff)."""

import os
import re
from pathlib import Path

import pytest

from conftest import ServerEnv, escape, plain_b64

GOLDEN = Path(__file__).parent / "golden"
RECORD = os.environ.get("GOLDEN_RECORD") == "1"


def unescape(text: str) -> bytes:
    out = bytearray()
    i = 0
    raw = text.encode()
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            n = chr(raw[i + 1])
            if n == "r":
                out += b"\r"; i += 2; continue
            if n == "n":
                out += b"\n"; i += 2; continue
            if n == "t":
                out += b"\t"; i += 2; continue
            if n == "\\":
                out += b"\\"; i += 2; continue
            if n == "x":
                out.append(int(raw[i + 2:i + 4], 16)); i += 4; continue
        out.append(c)
        i += 1
    return bytes(out)


def expand_macros(text: str) -> str:
    # ${PLAIN:user:password} → the base64 PLAIN response, to keep scenarios readable.
    return re.sub(r"\$\{PLAIN:([^:}]*):([^}]*)\}", lambda m: plain_b64(m.group(1), m.group(2)), text)


def split_lines(data: bytes) -> list[bytes]:
    parts = data.split(b"\r\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return parts


SCENARIOS = sorted(GOLDEN.glob("*.session"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_golden(path: Path, env_root):
    lines = path.read_text().splitlines()
    config, client, expected = [], bytearray(), []
    files, symlinks, expect_files = [], [], []
    for line in lines:
        if line.startswith("@config "):
            config.append(line[len("@config "):])
        elif line.startswith("@file "):
            user, rel, content = line[len("@file "):].split(" ", 2)
            files.append((user, rel, unescape(content)))
        elif line.startswith("@symlink "):
            user, rel, target = line[len("@symlink "):].split(" ", 2)
            symlinks.append((user, rel, target))
        elif line.startswith("@expect-file "):
            user, rel, content = line[len("@expect-file "):].split(" ", 2)
            expect_files.append((user, rel, content))
        elif line.startswith("C: "):
            client += unescape(expand_macros(line[3:])) + b"\r\n"
        elif line.startswith("C~ "):
            client += unescape(expand_macros(line[3:]))
        elif line.startswith("S: "):
            expected.append(line[3:])
    env = ServerEnv(env_root, "\n".join(config))
    for user, rel, content in files:
        p = env.home(user) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
        if os.geteuid() == 0:
            os.chown(p.parent, os.stat(env.home(user)).st_uid, os.stat(env.home(user)).st_gid)
            os.chown(p, os.stat(env.home(user)).st_uid, os.stat(env.home(user)).st_gid)
    for user, rel, target in symlinks:
        (env.home(user) / rel).symlink_to(target)
    output = env.run_pipes(bytes(client))
    actual = [escape(l) for l in split_lines(output)]
    if RECORD:
        kept = [l for l in lines if not l.startswith("S: ")]
        # Server lines go after the last client line, in order.
        path.write_text("\n".join(kept + [f"S: {l}" for l in actual]) + "\n")
        pytest.fail(f"recorded {path.name}: review the diff and rerun without GOLDEN_RECORD")
    assert actual == expected, f"server log:\n{env.log_text()}"
    for user, rel, content in expect_files:
        p = env.home(user) / rel
        if content == "MISSING":
            assert not p.exists() and not p.is_symlink(), f"{rel} should not exist"
        elif content.startswith("->"):
            assert os.readlink(p) == content[2:].strip()
        else:
            assert p.read_bytes() == unescape(content)
