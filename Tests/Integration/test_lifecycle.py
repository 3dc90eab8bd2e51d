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
