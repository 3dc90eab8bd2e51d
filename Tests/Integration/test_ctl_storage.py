"""managesievectl list/get/put/activate/deactivate/rename/delete USER: the admin's direct access to a
user's scripts, with the server's store, locks, quotas and compiler checks."""

import os
import subprocess

from conftest import CTL, IS_ROOT, TEST_UID, plain_b64


def ctl(env, *args, input=None):
    return subprocess.run(
        [str(CTL), args[0], "-c", str(env.config), *args[1:]], input=input, capture_output=True, timeout=30
    )


def test_round_trip_as_the_server_sees_it(server_env):
    script = b'require "fileinto";\nfileinto "Lists";\n'
    put = ctl(server_env, "put", "alice", "lists", "-", "--activate", input=script)
    assert put.returncode == 0, put.stderr
    listing = ctl(server_env, "list", "alice")
    assert listing.stdout.decode().splitlines() == [f"* lists\t{len(script)}"]
    assert ctl(server_env, "get", "alice", "lists").stdout == script
    stored = server_env.storage("alice") / "lists.sieve"
    assert stored.read_bytes() == script
    if IS_ROOT:
        assert os.stat(stored).st_uid == TEST_UID  # written as the user, not as root
    # The server sees the same thing.
    out = server_env.run_pipes(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\nLISTSCRIPTS\r\nLOGOUT\r\n'.encode())
    assert b'"lists" ACTIVE' in out
    assert ctl(server_env, "rename", "alice", "lists", "main").returncode == 0
    assert os.readlink(server_env.home("alice") / ".dovecot.sieve") == "sieve/main.sieve"
    refused = ctl(server_env, "delete", "alice", "main")
    assert refused.returncode == 1 and b"active" in refused.stderr
    assert ctl(server_env, "deactivate", "alice").returncode == 0
    assert ctl(server_env, "delete", "alice", "main").returncode == 0
    assert ctl(server_env, "list", "alice").stdout == b""


def test_invalid_script_is_refused_with_the_line(server_env):
    result = ctl(server_env, "put", "alice", "bad", "-", input=b"keep;\nfileint \"x\";\n")
    assert result.returncode == 1
    assert b":2:" in result.stdout and b"fileinto" in result.stdout
    assert not (server_env.storage("alice") / "bad.sieve").exists()


def test_unknown_user_and_bad_names(server_env):
    assert ctl(server_env, "list", "nobody").returncode == 1
    result = ctl(server_env, "put", "alice", "a/b", "-", input=b"keep;\n")
    assert result.returncode == 1 and b"invalid script name" in result.stderr
    missing = ctl(server_env, "get", "alice", "missing")
    assert missing.returncode == 1 and b"no script named" in missing.stderr


def test_quota_applies(env_root):
    from conftest import ServerEnv

    env = ServerEnv(env_root, "sieve_quota_max_scripts = 1")
    assert ctl(env, "put", "alice", "one", "-", input=b"keep;\n").returncode == 0
    second = ctl(env, "put", "alice", "two", "-", input=b"keep;\n")
    assert second.returncode == 1 and b"quota" in second.stderr
