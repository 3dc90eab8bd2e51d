"""checkpassword (the qmail/Dovecot interface) for PLAIN and LOGIN: a program written for the tests
(clients/checkpassword.py) and Debian's checkpw, run by the built server: logins that work, fail, fail
temporarily (NO (TRYLATER)) and time out; the program's clean environment, descriptors and stderr; the
uid/gid/home it hands back going through the usual policy; SCRAM withheld when every login must pass it."""

import base64
import json
import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CTL, IS_ROOT, SERVER, TEST_GID, TEST_UID, ServerEnv, capability

PROGRAM = Path(__file__).parent / "clients" / "checkpassword.py"
SCRIPT = 'keep;\r\n'


def plain(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def make_env(env_root: Path, users: dict, extra: str = "") -> ServerEnv:
    env = ServerEnv(env_root, users={"alice": "secret"})
    env.db = env_root / "checkpassword.json"
    env.db.write_text(json.dumps(users))
    os.chmod(env_root, 0o755)
    env.write_config(f"disable_plaintext_auth = no\ncheckpassword = {PROGRAM} {env.db}\n" + extra)
    return env


def runs(env: ServerEnv) -> list[dict]:
    path = Path(str(env.db) + ".log")
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def session(env: ServerEnv, *lines: str) -> list[str]:
    out = env.run_pipes("".join(line + "\r\n" for line in lines).encode(), timeout=60).decode()
    lines = out.split("\r\n")
    return lines[lines.index("OK") + 1:]


def home_for(env: ServerEnv, user: str) -> Path:
    home = env.homes / user
    home.mkdir(exist_ok=True)
    if IS_ROOT:
        os.chown(home, TEST_UID, TEST_GID)
    return home


def ldap_user(env, user="dave", password="pw-dave", **fields):
    entry = {"password": password, "env": {"userdb_uid": str(TEST_UID), "userdb_gid": str(TEST_GID),
                                           "userdb_home": str(home_for(env, user))}}
    entry.update(fields)
    return entry


@pytest.fixture
def env(env_root):
    env = make_env(env_root, {})
    env.db.write_text(json.dumps({"dave": ldap_user(env), "temp": ldap_user(env, "temp", "x", action="tempfail"),
                                  "misuse": ldap_user(env, "misuse", "x", action="misuse"),
                                  "crash": ldap_user(env, "crash", "x", action="crash"),
                                  "root": {"password": "x", "env": {"userdb_uid": "0", "userdb_gid": "0",
                                                                   "HOME": "/root"}},
                                  "nouid": {"password": "x", "env": {"HOME": "/tmp"}},
                                  "alice": ldap_user(env, "alice", "other")}))
    return env


def test_unknown_user_logs_in_through_the_program_and_uploads(env):
    lines = session(env, f'AUTHENTICATE "PLAIN" "{plain("dave", "pw-dave")}"',
                    f'PUTSCRIPT "s" {{{len(SCRIPT)}+}}\r\n{SCRIPT}', "LOGOUT")
    assert lines[0] == "OK" and lines[1] == "OK", lines
    assert (env.homes / "dave" / "sieve" / "s.sieve").read_bytes() == SCRIPT.encode()
    assert "login: user=dave method=PLAIN" in env.log_text()
    run = runs(env)[0]
    assert run["user"] == "dave"
    # A clean environment, and nothing but fds 0-4 (plus the one listdir used to look).
    assert set(run["env"]) <= {"PATH", "SERVICE", "LC_CTYPE"}, run["env"]
    assert run["env"]["SERVICE"] == "sieve"
    assert run["fds"][:5] == [0, 1, 2, 3, 4] and len(run["fds"]) <= 6, run["fds"]
    assert run["pgid"] == run["pid"]  # its own process group, which a timeout kills whole
    assert "checkpassword: checked dave" in env.log_text()  # its stderr goes to our log


def test_login_mechanism_too(env):
    user, password = base64.b64encode(b"dave").decode(), base64.b64encode(b"pw-dave").decode()
    lines = session(env, 'AUTHENTICATE "LOGIN"', f'"{user}"', f'"{password}"')
    assert lines[-2] == "OK" or "OK" in lines, lines
    assert "login: user=dave method=LOGIN" in env.log_text()


def test_wrong_password_is_refused(env):
    lines = session(env, f'AUTHENTICATE "PLAIN" "{plain("dave", "nope")}"')
    assert lines[0] == 'NO "Authentication failed."', lines
    assert re.search(r"login failed: reason=unknown-user user=dave method=PLAIN", env.log_text())


@pytest.mark.parametrize("user", ["temp", "misuse", "crash", "nouid"])
def test_temporary_failures_answer_trylater(env, user):
    lines = session(env, f'AUTHENTICATE "PLAIN" "{plain(user, "x")}"')
    assert lines[0].startswith("NO (TRYLATER)"), lines
    assert re.search(rf"login failed: reason=temporary-failure user={user} method=PLAIN: ", env.log_text())


def test_uid_policy_applies(env):
    lines = session(env, f'AUTHENTICATE "PLAIN" "{plain("root", "x")}"')
    assert lines[0].startswith("NO"), lines
    assert re.search(r"login failed: reason=not-allowed user=root", env.log_text())


def test_timeout_kills_the_program(env_root):
    env = make_env(env_root, {}, "checkpassword_timeout = 500 ms")
    env.db.write_text(json.dumps({"slow": {"password": "x", "action": "sleep"}}))
    started = time.monotonic()
    lines = session(env, f'AUTHENTICATE "PLAIN" "{plain("slow", "x")}"')
    assert time.monotonic() - started < 10
    assert lines[0].startswith("NO (TRYLATER)"), lines
    assert "did not finish within 500 ms (killed)" in env.log_text()
    pid = runs(env)[0]["pid"]
    time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_passwd_file_users_skip_the_program_unless_all(env):
    assert session(env, f'AUTHENTICATE "PLAIN" "{plain("alice", "secret")}"')[0] == "OK"
    assert runs(env) == []
    env.write_config(f"disable_plaintext_auth = no\ncheckpassword = {PROGRAM} {env.db}\ncheckpassword_users = all")
    # Now the program decides, even for alice: her passwd-file password no longer works, the program's does.
    assert session(env, f'AUTHENTICATE "PLAIN" "{plain("alice", "secret")}"')[0].startswith("NO")
    assert session(env, f'AUTHENTICATE "PLAIN" "{plain("alice", "other")}"')[0] == "OK"
    assert [run["user"] for run in runs(env)] == ["alice", "alice"]


def test_scram_withheld_when_every_login_goes_through_the_program(env_root):
    env = ServerEnv(env_root, users={"alice": "secret"}, schemes={"alice": "SCRAM-SHA-256"})
    env.write_config("disable_plaintext_auth = no")
    out = env.run_pipes(b"LOGOUT\r\n").split(b"\r\n")
    assert "SCRAM-SHA-256" in capability(out, "SASL")
    env.write_config(f"disable_plaintext_auth = no\ncheckpassword = {PROGRAM} /nonexistent\ncheckpassword_users = all")
    out = env.run_pipes(b"LOGOUT\r\n").split(b"\r\n")
    assert capability(out, "SASL").split() == ["PLAIN", "LOGIN"]


def test_reply_without_uid_takes_the_passwd_file_entry(env):
    # alice is in the passwd-file; with checkpassword_users = all and no uid in the reply, hers is used.
    db = json.loads(env.db.read_text())
    db["alice"] = {"password": "other", "env": {}}
    env.db.write_text(json.dumps(db))
    env.write_config(f"disable_plaintext_auth = no\ncheckpassword = {PROGRAM} {env.db}\ncheckpassword_users = all")
    assert session(env, f'AUTHENTICATE "PLAIN" "{plain("alice", "other")}"')[0] == "OK"


def test_missing_program_is_a_temporary_failure(env_root):
    env = ServerEnv(env_root, users={"alice": "secret"})
    env.write_config("disable_plaintext_auth = no\ncheckpassword = /nonexistent/checkpassword")
    lines = session(env, f'AUTHENTICATE "PLAIN" "{plain("nobody", "x")}"')
    assert lines[0].startswith("NO (TRYLATER)"), lines
    result = subprocess.run([str(CTL), "config", "-c", str(env.config)], capture_output=True, text=True, timeout=30)
    assert "checkpassword: /nonexistent/checkpassword is not executable" in result.stderr, result.stderr


def test_shell_program_like_the_readme(env_root):
    """The README's bash example, with its password file in the test's directory."""
    env = ServerEnv(env_root, users={"alice": "secret"})
    secret = env_root / "carol.pw"
    secret.write_text("pw-carol")
    home = home_for(env, "carol")
    program = env_root / "checkpassword-demo"
    program.write_text(
        "#!/bin/bash\n"
        "IFS= read -r -d '' user <&3; IFS= read -r -d '' pass <&3\n"
        f'[ "$user" = carol ] && [ "$pass" = "$(cat {secret})" ] || exit 1\n'
        f'userdb_uid={TEST_UID} userdb_gid={TEST_GID} userdb_home={home} exec "$@"\n')
    program.chmod(0o755)
    env.write_config(f"disable_plaintext_auth = no\ncheckpassword = {program}")
    assert session(env, f'AUTHENTICATE "PLAIN" "{plain("carol", "pw-carol")}"')[0] == "OK"
    assert session(env, f'AUTHENTICATE "PLAIN" "{plain("carol", "pw-carl")}"')[0].startswith("NO")


# --- Debian's checkpw (the qmail checkpassword interface, ~/Maildir/.password) ------------------------


@pytest.fixture
def system_user(env_root):
    if not IS_ROOT:
        pytest.skip("checkpw switches to a system user: needs root to create one")
    if shutil.which("checkpw") is None:
        pytest.fail("checkpw is not installed (tools/install-test-deps installs it)")
    name, uid = "mscheckpw", 1507
    home = env_root / "home" / name
    subprocess.run(["userdel", name], capture_output=True)
    subprocess.run(["useradd", "-M", "-d", str(home), "-u", str(uid), "-U", "-s", "/usr/sbin/nologin", name],
                   check=True)
    try:
        yield name, home, uid
    finally:
        subprocess.run(["userdel", name], capture_output=True)
        subprocess.run(["groupdel", name], capture_output=True)


def test_debian_checkpw(env_root, system_user):
    name, home, uid = system_user
    env = ServerEnv(env_root, users={"alice": "secret"})
    (home / "Maildir").mkdir(parents=True)
    password = home / "Maildir" / ".password"
    password.write_text("pw-checkpw\n")
    gid = pwd.getpwnam(name).pw_gid
    # checkpw trusts only a password file its user owns.
    for path in (home, home / "Maildir", password):
        os.chown(path, uid, gid)
    os.chmod(password, 0o600)
    env.write_config(f"disable_plaintext_auth = no\ncheckpassword = {shutil.which('checkpw')}")
    lines = session(env, f'AUTHENTICATE "PLAIN" "{plain(name, "pw-checkpw")}"',
                    f'PUTSCRIPT "s" {{{len(SCRIPT)}+}}\r\n{SCRIPT}', "LOGOUT")
    assert lines[0] == "OK" and lines[1] == "OK", (lines, env.log_text())
    script = home / "sieve" / "s.sieve"
    assert script.read_bytes() == SCRIPT.encode()
    assert script.stat().st_uid == uid  # the uid checkpw switched to, handed back by our reply program
    assert session(env, f'AUTHENTICATE "PLAIN" "{plain(name, "wrong")}"')[0].startswith('NO "Authentication')
