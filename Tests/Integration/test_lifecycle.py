"""Scripts are never silently broken, never lost: include integrity in the server (a script the active
script includes cannot be deleted or renamed away, nor replaced by a version the active script does not
compile with), and the version history kept in the user's storage (`managesievectl history/restore`).

Every test runs the built managesieved (over pipes or behind socat) and the built managesievectl against a
temporary installation; the multi-script set-up is also driven through PHP Net_Sieve (Roundcube's library)
and sieve-connect."""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CTL, IS_ROOT, TEST_UID, USERS, ServerEnv, Socat
from test_limits import Client

CLIENTS = Path(__file__).parent / "clients"
VARS = b'require ["include", "variables"];\r\n'


def session(env: ServerEnv) -> Client:
    client = Client.spawn(env)
    client.login()
    return client


def put_ok(client: Client, name: str, content: bytes):
    reply = client.putscript(name, content)
    assert reply.status == "OK", reply


def chain_env(env: ServerEnv) -> Client:
    """rules (active) includes lists (line 3), which includes vacation (line 2); spam is on its own."""
    client = session(env)
    put_ok(client, "vacation", b'require "vacation";\r\nvacation "away";\r\n')
    put_ok(client, "lists", b'require "include";\r\ninclude :personal "vacation";\r\n')
    put_ok(client, "rules", b'require "include";\r\n# main\r\ninclude :personal "lists";\r\nkeep;\r\n')
    put_ok(client, "spam", b"keep;\r\n")
    assert client.command('SETACTIVE "rules"').status == "OK"
    return client


def test_delete_of_a_directly_included_script_is_refused(server_env):
    client = chain_env(server_env)
    reply = client.command('DELETESCRIPT "lists"')
    assert (reply.status, reply.code) == ("NO", "ACTIVE"), reply
    assert b"'lists' is included by the active script 'rules' (line 3)" in reply.text
    assert (server_env.storage("alice") / "lists.sieve").exists()
    # What nothing includes goes as before.
    assert client.command('DELETESCRIPT "spam"').status == "OK"
    client.close()
    assert "refused to delete 'lists': needed by the active script" in server_env.log_text()


def test_delete_and_rename_of_a_transitively_included_script_are_refused(server_env):
    client = chain_env(server_env)
    reply = client.command('DELETESCRIPT "vacation"')
    assert (reply.status, reply.code) == ("NO", "ACTIVE"), reply
    assert b"'vacation' is included by 'lists' (line 2), which the active script 'rules' includes" in reply.text
    assert b"rules -> lists -> vacation" in reply.text
    reply = client.command('RENAMESCRIPT "vacation" "holiday"')
    assert (reply.status, reply.code) == ("NO", "ACTIVE"), reply
    assert b"'vacation' is included by 'lists' (line 2)" in reply.text
    assert set(client.listscripts()) == {"vacation", "lists", "rules", "spam"}
    # Deactivated, the same scripts may go.
    assert client.command('SETACTIVE ""').status == "OK"
    assert client.command('RENAMESCRIPT "vacation" "holiday"').status == "OK"
    assert client.command('DELETESCRIPT "holiday"').status == "OK"
    client.close()


def test_circular_includes_are_walked_once(server_env):
    client = session(server_env)
    # a and b include each other; the active script includes a. Upload warns about the cycle but stores it.
    put_ok(client, "b", b'require "include";\r\ninclude :personal "a";\r\n')
    put_ok(client, "a", b'require "include";\r\nkeep;\r\ninclude :personal "b";\r\n')
    put_ok(client, "main", b'require "include";\r\ninclude :personal "a";\r\n')
    put_ok(client, "loner", b'require "include";\r\ninclude :personal "loner";\r\n')
    # Activation refuses the cycle, so make it active through the link, as a pre-existing set-up would be.
    os.symlink("sieve/main.sieve", server_env.home("alice") / ".dovecot.sieve")
    reply = client.command('DELETESCRIPT "b"')
    assert (reply.status, reply.code) == ("NO", "ACTIVE"), reply
    assert b"'b' is included by 'a' (line 3), which the active script 'main' includes (main -> a -> b)" in reply.text
    # A script that includes only itself, outside the active script, is not protected.
    assert client.command('DELETESCRIPT "loner"').status == "OK"
    client.close()


def test_optional_include_does_not_protect(server_env):
    client = session(server_env)
    put_ok(client, "extra", b"keep;\r\n")
    put_ok(client, "main", b'require "include";\r\ninclude :personal :optional "extra";\r\n')
    assert client.command('SETACTIVE "main"').status == "OK"
    assert client.command('DELETESCRIPT "extra"').status == "OK"
    client.close()


def test_putscript_that_breaks_the_active_script_is_refused(server_env):
    client = session(server_env)
    # The active script uses ${global.folder}, which 'settings' exports.
    put_ok(client, "settings", VARS + b'global "folder";\r\nset "global.folder" "Lists";\r\n')
    put_ok(client, "main", VARS + b'require "fileinto";\r\ninclude :personal "settings";\r\n'
           b'global "folder";\r\nfileinto "${folder}";\r\n')
    assert client.command('SETACTIVE "main"').status == "OK"
    # Not compilable on its own terms: a plain compile error, as before.
    reply = client.putscript("settings", b"fileint;\r\n")
    assert reply.status == "NO" and reply.code is None
    # Compiles alone, but 'main' then includes a script with a syntax the activation check refuses:
    # an include of a script that does not exist.
    broken = b'require "include";\r\ninclude :personal "gone";\r\n'
    assert client.command(f'CHECKSCRIPT {{{len(broken)}+}}\r\n'.encode() + broken).status == "OK"
    reply = client.putscript("settings", broken)
    assert reply.status == "NO", reply
    assert b"'settings' is included by the active script 'main', which would no longer compile" in reply.text
    assert b"in included script 'settings': line 2: error: included script 'gone' does not exist" in reply.text
    assert client.getscript("settings").startswith(VARS)
    # A version that keeps the active script whole is stored; so is anything for a script it does not include.
    put_ok(client, "settings", VARS + b'global "folder";\r\nset "global.folder" "Other";\r\n')
    put_ok(client, "unrelated", broken)
    client.close()


def test_putscript_does_not_refuse_for_older_problems(server_env):
    client = chain_env(server_env)
    # An error elsewhere in the active script (here: 'vacation' broken behind the server's back) does not block
    # a new version of 'lists'.
    (server_env.storage("alice") / "vacation.sieve").write_bytes(b"fileint;\r\n")
    put_ok(client, "lists", b'require "include";\r\nkeep;\r\ninclude :personal "vacation";\r\n')
    client.close()


def test_include_graph_cost_with_100_scripts(server_env):
    """A user with 100 scripts, the active one including 99 in a chain of ten: each refused DELETESCRIPT
    derives the graph anew. Prints the time per command (-s)."""
    client = session(server_env)
    for group in range(10):
        for member in range(9):
            put_ok(client, f"s{group}-{member}", f"# {group}/{member}\r\nkeep;\r\n".encode())
        body = "".join(f'include :personal "s{group}-{m}";\r\n' for m in range(9))
        if group < 9:
            body += f'include :personal "g{group + 1}";\r\n'
        put_ok(client, f"g{group}", ('require "include";\r\n' + body).encode())
    assert len(client.listscripts()) == 100
    os.symlink("sieve/g0.sieve", server_env.home("alice") / ".dovecot.sieve")
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        reply = client.command('DELETESCRIPT "s9-8"')
        assert (reply.status, reply.code) == ("NO", "ACTIVE"), reply
    elapsed = (time.perf_counter() - started) / rounds
    assert b"g0 -> g1 -> g2 -> g3 -> g4 -> g5 -> g6 -> g7 -> g8 -> g9 -> s9-8" in reply.text
    print(f"\nrefused DELETESCRIPT with a 100-script include graph: {elapsed * 1000:.2f} ms")
    client.close()


# --- Roundcube (PHP Net_Sieve) and sieve-connect ---------------------------------------------------------


def test_php_net_sieve_roundcube_style_set(server_env):
    php = shutil.which("php")
    if php is None or not Path("/usr/share/php/Net/Sieve.php").exists():
        pytest.fail("PHP Net_Sieve is not installed (tools/install-test-deps installs php-net-sieve)")
    server = Socat(server_env)
    try:
        result = subprocess.run(
            [php, str(CLIENTS / "net_sieve_includes.php"), "127.0.0.1", str(server.port), "alice",
             USERS["alice"]], capture_output=True, text=True, timeout=60)
    finally:
        server.close()
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines[:3] == ["login: ok", "put: vacation spam roundcube", "active: roundcube"], lines
    # Roundcube shows the server's text (Net_Sieve's error message) to the user.
    assert lines[3].startswith("delete vacation: refused: "), lines
    assert "'vacation' is included by the active script 'roundcube' (line 2)" in lines[3]
    assert lines[4:] == ["list: roundcube,spam,vacation", "delete after deactivate: ok", "logout: ok"], lines


def test_sieve_connect_sees_the_refusal(server_env, tmp_path):
    client = shutil.which("sieve-connect")
    if client is None:
        pytest.fail("sieve-connect is not installed (tools/install-test-deps installs it)")
    c = chain_env(server_env)
    c.close()
    server = Socat(server_env)
    commands = tmp_path / "commands"
    commands.write_text("delete vacation\nlist\n")
    password = tmp_path / "password"
    password.write_text(USERS["alice"] + "\n")
    try:
        with open(password) as fd:
            result = subprocess.run(
                [client, "--server", "127.0.0.1", "--port", str(server.port), "--user", "alice", "--notls",
                 "--authmech", "PLAIN", "--passwordfd", str(fd.fileno()), "--exec", str(commands)],
                pass_fds=(fd.fileno(),), capture_output=True, text=True, timeout=60)
    finally:
        server.close()
    output = result.stdout + result.stderr
    assert "'vacation' is included by 'lists' (line 2)" in output, output
    assert (server_env.storage("alice") / "vacation.sieve").exists()


# --- version history: the server keeps, managesievectl lists, compares and restores ------------------------


def ctl(env: ServerEnv, *args):
    """managesievectl; stdout and stderr as text with their line ends as written (CRs of the scripts kept)."""
    result = subprocess.run([str(CTL), args[0], "-c", str(env.config), *args[1:]], capture_output=True, timeout=60)
    result.stdout, result.stderr = result.stdout.decode(), result.stderr.decode()
    return result


V1 = b'require "fileinto";\r\nif header :contains "subject" "[list]" {\r\n  fileinto "Lists";\r\n}\r\n'
V2 = b'require "fileinto";\r\nif header :contains "subject" "[list]" {\r\n  fileinto "Lists/new";\r\n}\r\nkeep;\r\n'
V3 = b"keep;\r\n"


def history_set(env: ServerEnv):
    """rules: V1 (active) replaced by V2 replaced by V3 (the webmail's "save"); old: stored and deleted."""
    client = session(env)
    put_ok(client, "rules", V1)
    assert client.command('SETACTIVE "rules"').status == "OK"
    time.sleep(0.01)
    put_ok(client, "rules", V2)
    time.sleep(0.01)
    put_ok(client, "rules", V3)
    put_ok(client, "old", b"discard;\r\n")
    assert client.command('DELETESCRIPT "old"').status == "OK"
    assert client.listscripts() == {"rules": True}
    client.close()


def test_server_keeps_versions_that_listscripts_does_not_show(server_env):
    history_set(server_env)
    kept = server_env.storage("alice") / ".managesieved.history"
    assert sorted(p.name for p in kept.iterdir()) == ["old.sieve", "rules.sieve"]
    versions = sorted((kept / "rules.sieve").iterdir())
    assert [p.read_bytes() for p in versions] == [V1, V2]
    assert all(p.name.endswith("-replaced-active") for p in versions)
    if IS_ROOT:
        assert {os.stat(p).st_uid for p in [kept, *versions]} == {TEST_UID}
    # Pigeonhole's own view of the storage: sievec compiles what it finds, and only the scripts are scripts.
    assert sorted(p.name for p in server_env.storage("alice").glob("*.sieve")) == ["rules.sieve"]


def test_history_lists_versions_newest_first(server_env):
    history_set(server_env)
    listing = ctl(server_env, "history", "alice")
    assert listing.returncode == 0, listing.stderr
    rows = [line.split("\t") for line in listing.stdout.splitlines()]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("old", "1", "10", "deleted"),
        ("rules", "1", str(len(V2)), "replaced (active)"),
        ("rules", "2", str(len(V1)), "replaced (active)"),
    ]
    assert all(r[2].endswith("Z") and r[2][:2] == "20" for r in rows)
    objects = [json.loads(line) for line in ctl(server_env, "history", "alice", "rules", "--json").stdout.splitlines()]
    assert [(o["version"], o["size"], o["active"], o["deleted"], o["user"]) for o in objects] == [
        (1, len(V2), True, False, "alice"), (2, len(V1), True, False, "alice")]
    assert objects[0]["retired"] > objects[1]["retired"]
    assert ctl(server_env, "history", "alice", "nothing").stdout == ""


def test_history_diff(server_env):
    history_set(server_env)
    against_current = ctl(server_env, "history", "alice", "rules", "--diff", "1")
    assert against_current.returncode == 0, against_current.stderr
    lines = against_current.stdout.split("\n")[:-1]
    assert lines[0].startswith("--- rules version 1 (20") and lines[1] == "+++ rules (current)"
    assert lines[2:] == [
        "@@ -1,5 +1 @@",
        '-require "fileinto";\r',
        '-if header :contains "subject" "[list]" {\r',
        '-  fileinto "Lists/new";\r',
        "-}\r",
        " keep;\r",
    ]
    between = ctl(server_env, "history", "alice", "rules", "--diff", "2", "--diff", "1")
    assert between.stdout.split("\n")[2:-1] == [
        "@@ -1,4 +1,5 @@",
        ' require "fileinto";\r',
        ' if header :contains "subject" "[list]" {\r',
        '-  fileinto "Lists";\r',
        '+  fileinto "Lists/new";\r',
        " }\r",
        "+keep;\r",
    ]
    assert ctl(server_env, "history", "alice", "rules", "--diff", "1", "--diff", "1").stdout == ""
    missing = ctl(server_env, "history", "alice", "rules", "--diff", "7")
    assert missing.returncode == 1 and "has no version '7' (1 to 2" in missing.stderr


def test_restore_makes_a_version_current_and_keeps_the_replaced_one(server_env):
    history_set(server_env)
    restored = ctl(server_env, "restore", "alice", "rules", "2")
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("restored 'rules' from version 2 (20")
    client = session(server_env)
    assert client.getscript("rules") == V1
    assert client.listscripts() == {"rules": True}
    client.close()
    objects = [json.loads(line) for line in ctl(server_env, "history", "alice", "rules", "--json").stdout.splitlines()]
    assert [o["size"] for o in objects] == [len(V3), len(V2), len(V1)]
    # A deleted script comes back, inactive.
    assert ctl(server_env, "restore", "alice", "old").returncode == 0
    assert (server_env.storage("alice") / "old.sieve").read_bytes() == b"discard;\r\n"
    if IS_ROOT:
        assert os.stat(server_env.storage("alice") / "old.sieve").st_uid == TEST_UID
    assert ctl(server_env, "list", "alice").stdout.splitlines() == ["  old\t10", f"* rules\t{len(V1)}"]


def test_restore_goes_through_the_upload_checks(env_root):
    env = ServerEnv(env_root, "sieve_extensions = +editheader")
    client = session(env)
    put_ok(client, "hdr", b'require "editheader";\r\naddheader "X-A" "1";\r\n')
    put_ok(client, "hdr", b"keep;\r\n")
    put_ok(client, "big", b"keep; # " + b"x" * 200 + b"\r\n")
    put_ok(client, "big", b"keep;\r\n")
    # The included script's old version breaks the active script.
    put_ok(client, "inc", b'require "include";\r\ninclude :personal "gone";\r\n')
    put_ok(client, "inc", b"keep;\r\n")
    put_ok(client, "main", b'require "include";\r\ninclude :personal "inc";\r\n')
    assert client.command('SETACTIVE "main"').status == "OK"
    client.close()
    # The configuration changed since: editheader is off, and a quota came.
    env.write_config("sieve_quota_max_storage = 100")
    refused = ctl(env, "restore", "alice", "hdr")
    assert refused.returncode == 1
    assert "hdr version 1:1:" in refused.stdout and "editheader" in refused.stdout
    assert "does not compile with this configuration" in refused.stderr
    too_big = ctl(env, "restore", "alice", "big")
    assert too_big.returncode == 1 and "quota" in too_big.stderr
    breaks = ctl(env, "restore", "alice", "inc")
    assert breaks.returncode == 1, breaks.stdout
    assert "'inc' is included by the active script 'main', which would no longer compile" in breaks.stderr
    assert "included script 'gone' does not exist" in breaks.stderr
    assert (env.storage("alice") / "inc.sieve").read_bytes() == b"keep;\r\n"


def test_history_can_be_turned_off_and_pruned(env_root):
    env = ServerEnv(env_root, "sieve_history_max_versions = 0")
    client = session(env)
    put_ok(client, "a", b"keep;\r\n")
    put_ok(client, "a", b"keep; #2\r\n")
    client.close()
    assert not (env.storage("alice") / ".managesieved.history").exists()
    assert ctl(env, "history", "alice").stdout == ""
    env.write_config("sieve_history_max_versions = 2")
    client = session(env)
    for n in range(5):
        put_ok(client, "a", f"keep; # {n}\r\n".encode())
        time.sleep(0.01)
    client.close()
    rows = ctl(env, "history", "alice", "a").stdout.splitlines()
    assert len(rows) == 2
    assert ctl(env, "history", "alice", "a", "--diff", "1").stdout.split("\n")[2:-1] == [
        "@@ -1 +1 @@", "-keep; # 3\r", "+keep; # 4\r"]


def test_history_problem_is_logged_not_returned(server_env):
    client = session(server_env)
    put_ok(client, "a", b"keep;\r\n")
    outside = server_env.root / "outside"
    outside.mkdir()
    os.chmod(outside, 0o777)
    os.symlink(outside, server_env.storage("alice") / ".managesieved.history")
    put_ok(client, "a", b"keep; # 2\r\n")
    assert client.getscript("a") == b"keep; # 2\r\n"
    client.close()
    assert list(outside.iterdir()) == []
    assert "history: cannot keep the previous version of a.sieve" in server_env.log_text()
