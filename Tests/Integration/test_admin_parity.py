"""managesievectl as doveadm sieve: one shared way to a user's storage (the server's uid rules, acting as the
user, read commands that never write), --all-users / -u MASK / --json for list/get/put/activate/deactivate/
rename/delete, and `recheck`. As root, each user has a uid of their own, so ownership and access are real."""

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import CTL, IS_ROOT, hashed

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="users with their own uids need root")

# name -> uid (gid = uid); dave is below first_valid_uid (100), erin is served by another server.
UIDS = {"alice": 1501, "bob": 1502, "carol@example.org": 1503, "dave": 50, "erin": 1505}


class AdminEnv:
    def __init__(self, root: Path, extra: str = ""):
        self.root = root
        os.chmod(root, 0o755)
        self.homes = root / "home"
        self.homes.mkdir()
        os.chmod(self.homes, 0o755)
        self.passwd = root / "passwd"
        self.config = root / "managesieved.conf"
        lines = []
        for user, uid in UIDS.items():
            home = self.home(user)
            home.mkdir()
            os.chown(home, uid, uid)
            os.chmod(home, 0o700)
            extra_fields = "proxy host=127.0.0.1" if user == "erin" else ""
            lines.append(f"{user}:{hashed('secret', 'PLAIN')}:{uid}:{uid}::{home}::{extra_fields}")
        self.passwd.write_text("\n".join(lines) + "\n")
        self.write_config(extra)

    def write_config(self, extra: str = "", first_valid_uid: int = 100):
        self.config.write_text(
            f"passwd_file = {self.passwd}\nlog_path = {self.root / 'log'}\nfirst_valid_uid = {first_valid_uid}\n"
            f"auth_scram_secret_file = {self.root / 'scram'}\n{extra}\n"
        )

    def home(self, user: str) -> Path:
        return self.homes / user

    def storage(self, user: str) -> Path:
        return self.home(user) / "sieve"

    def ctl(self, *args, input=None, config=None):
        return subprocess.run(
            [str(CTL), args[0], "-c", str(config or self.config), *args[1:]], input=input, capture_output=True,
            timeout=60,
        )

    def seed(self, user: str, scripts: dict[str, bytes], active: str | None = None):
        """Scripts written as the user would (owned by them), and the active link."""
        uid = UIDS[user]
        storage = self.storage(user)
        storage.mkdir(exist_ok=True)
        os.chown(storage, uid, uid)
        for name, content in scripts.items():
            path = storage / f"{name}.sieve"
            path.write_bytes(content)
            os.chown(path, uid, uid)
        if active:
            link = self.home(user) / ".dovecot.sieve"
            os.symlink(f"sieve/{active}.sieve", link)
            os.lchown(link, uid, uid)


@pytest.fixture
def admin(env_root):
    return AdminEnv(env_root)


def tree_state(path: Path) -> dict:
    """Every entry under `path` with its kind, size, mode, owner and mtime (ns)."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for name in [".", *dirnames, *filenames]:
            full = Path(dirpath) / name
            st = os.lstat(full)
            state[str(full)] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mode, st.st_uid, st.st_mtime_ns)
    return state


def json_lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


# --- one way to a user's storage --------------------------------------------------------------------------

def test_read_commands_never_write(admin):
    """list/get (and recheck) on storage in 0555 directories, with a pre-ManageSieve regular ~/.dovecot.sieve
    (which a write would rescue as dovecot.orig): nothing created, nothing changed, not even a lock file."""
    admin.seed("alice", {"rules": b"keep;\n", "spam": b'require "fileinto";\nfileinto "Junk";\n'})
    regular = admin.home("alice") / ".dovecot.sieve"
    regular.write_bytes(b"discard;\n")
    os.chown(regular, 1501, 1501)
    os.chmod(admin.storage("alice"), 0o555)
    os.chmod(admin.home("alice"), 0o555)
    # bob has no storage at all: reading must not create it.
    before = tree_state(admin.homes)
    listing = admin.ctl("list", "alice")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.decode().splitlines() == ["  rules\t6", "  spam\t37"]
    assert admin.ctl("get", "alice", "spam").stdout == b'require "fileinto";\nfileinto "Junk";\n'
    assert admin.ctl("list", "bob").stdout == b""
    assert admin.ctl("list", "-A", "--json").returncode == 1  # dave is refused (below)
    assert admin.ctl("get", "-A", "rules").returncode == 1
    assert admin.ctl("recheck", "-A").returncode in (0, 74)
    assert tree_state(admin.homes) == before
    assert not admin.storage("bob").exists()
    assert not (admin.storage("alice") / ".managesieved.lock").exists()
    # A write on the same storage does rescue the file (so the read commands above chose not to).
    os.chmod(admin.home("alice"), 0o700)
    os.chmod(admin.storage("alice"), 0o700)
    assert admin.ctl("deactivate", "alice").returncode == 0
    assert (admin.storage("alice") / "dovecot.orig.sieve").read_bytes() == b"discard;\n"


def test_storage_is_reached_as_the_user_never_as_root(admin):
    """bob's storage is a symlink into a root-only directory holding a script: root could read it, bob cannot,
    and the tool acts as bob, so it refuses rather than following the link as root."""
    secret = admin.root / "rootonly"
    secret.mkdir(mode=0o700)
    (secret / "stolen.sieve").write_bytes(b"keep;\n")
    os.symlink(secret, admin.storage("bob"))
    listing = admin.ctl("list", "bob")
    assert listing.returncode == 1
    assert b"stolen" not in listing.stdout and b"ermission denied" in listing.stderr
    put = admin.ctl("put", "bob", "x", "-", input=b"keep;\n")
    assert put.returncode == 1
    assert sorted(os.listdir(secret)) == ["stolen.sieve"]
    # A script file that is a symlink to a root-only file is not a script either.
    admin.seed("alice", {"rules": b"keep;\n"})
    os.symlink(secret / "stolen.sieve", admin.storage("alice") / "link.sieve")
    assert admin.ctl("list", "alice").stdout.decode().splitlines() == ["  rules\t6"]
    assert admin.ctl("get", "alice", "link").returncode == 1


def test_written_files_belong_to_each_user(admin):
    result = admin.ctl("put", "-u", "alice", "-u", "bob", "rules", "-", "--activate", input=b"keep;\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == [
        "alice: stored 'rules' and activated it", "bob: stored 'rules' and activated it"]
    for user in ("alice", "bob"):
        st = os.stat(admin.storage(user) / "rules.sieve")
        assert (st.st_uid, st.st_gid) == (UIDS[user], UIDS[user])
        assert os.lstat(admin.home(user) / ".dovecot.sieve").st_uid == UIDS[user]
        assert os.stat(admin.storage(user)).st_uid == UIDS[user]


def test_the_servers_uid_rules_apply(admin):
    """dave's uid is below first_valid_uid: the server would not serve him, nor does the tool; with -A the
    others are still served and the run exits 1. erin is proxied: -A leaves her out."""
    refused = admin.ctl("list", "dave")
    assert refused.returncode == 1 and b"uid 50/gid 50 not allowed" in refused.stderr
    assert not admin.storage("dave").exists()
    admin.seed("alice", {"rules": b"keep;\n"}, active="rules")
    everyone = admin.ctl("list", "-A", "--json")
    assert everyone.returncode == 1
    objects = json_lines(everyone)
    assert {"user": "alice", "script": "rules", "active": True, "size": 6} in objects
    assert {"user": "dave", "ok": False, "error": "'dave': uid 50/gid 50 not allowed to log in (first_valid_uid…)"} \
        in objects
    assert not any(o.get("user") == "erin" for o in objects)
    proxied = admin.ctl("list", "erin")
    assert proxied.returncode == 1 and b"another server" in proxied.stderr
    # With the range widened the same command serves dave.
    admin.write_config(first_valid_uid=10)
    assert admin.ctl("list", "dave").returncode == 0


# --- doveadm parity ----------------------------------------------------------------------------------------

def test_masks_select_users_like_doveadm(admin):
    for user in ("alice", "bob", "carol@example.org"):
        admin.seed(user, {"rules": b"keep;\n"})
    a = admin.ctl("list", "-u", "a*")
    assert a.returncode == 0 and a.stdout.decode().splitlines() == ["alice\t  rules\t6"]
    org = admin.ctl("list", "-u", "*@example.org", "--json")
    assert json_lines(org) == [{"user": "carol@example.org", "script": "rules", "active": False, "size": 6}]
    nobody = admin.ctl("list", "-u", "z*")
    assert nobody.returncode == 1 and b"no user matches 'z*'" in nobody.stderr
    both = admin.ctl("list", "-A", "-u", "a*")
    assert both.returncode == 64


def test_json_lines_of_every_command(admin):
    """One object per user (and script) on its own line, for each storage command."""
    sel = ["-u", "alice", "-u", "bob"]
    put = admin.ctl("put", *sel, "--json", "rules", "-", input=b"keep;\n")
    assert put.returncode == 0, put.stderr
    assert json_lines(put) == [{"user": "alice", "script": "rules", "ok": True},
                               {"user": "bob", "script": "rules", "ok": True}]
    bad = admin.ctl("put", "-u", "alice", "--json", "bad", "-", input=b"keep;\nfileint \"x\";\n")
    assert bad.returncode == 1
    [refusal] = json_lines(bad)
    assert refusal["user"] == "alice" and refusal["script"] == "bad" and refusal["ok"] is False
    assert refusal["diagnostics"][0]["line"] == 2 and refusal["diagnostics"][0]["severity"] == "error"
    assert "fileinto" in refusal["diagnostics"][0]["message"]
    act = admin.ctl("activate", *sel, "--json", "rules")
    assert json_lines(act) == [{"user": "alice", "script": "rules", "ok": True},
                               {"user": "bob", "script": "rules", "ok": True}]
    got = admin.ctl("get", *sel, "--json", "rules")
    assert json_lines(got) == [{"user": u, "script": "rules", "active": True, "content": "keep;\n"}
                               for u in ("alice", "bob")]
    text = admin.ctl("get", *sel, "rules")
    assert text.stdout == b"==> alice <==\nkeep;\n==> bob <==\nkeep;\n"
    ren = admin.ctl("rename", *sel, "--json", "rules", "main")
    assert json_lines(ren) == [{"user": u, "script": "main", "ok": True} for u in ("alice", "bob")]
    assert os.readlink(admin.home("bob") / ".dovecot.sieve") == "sieve/main.sieve"
    refused = admin.ctl("delete", *sel, "--json", "main")
    assert refused.returncode == 1
    assert [o["error"] for o in json_lines(refused)] == ["'main' is the active script; deactivate it first"] * 2
    deact = admin.ctl("deactivate", *sel, "--json")
    assert json_lines(deact) == [{"user": "alice", "ok": True}, {"user": "bob", "ok": True}]
    deleted = admin.ctl("delete", *sel, "--json", "main")
    assert json_lines(deleted) == [{"user": u, "script": "main", "ok": True} for u in ("alice", "bob")]
    assert admin.ctl("list", *sel, "--json").stdout == b""


def test_usage_of_positional_user_and_options(admin):
    """Without -A/-u the first argument is the user (as before); with them, every argument is a name."""
    assert admin.ctl("get", "alice").returncode == 64
    assert admin.ctl("get", "-A", "alice", "rules").returncode == 64
    help_text = subprocess.run([str(CTL), "--help"], capture_output=True, text=True).stdout
    for example in ("list -A --json", "-u '*@example.org'", "recheck --all-users"):
        assert example in help_text, example


INCLUDE_CHAIN = {
    "vacation": b'require "vacation";\nvacation "away";\n',
    "lists": b'require "include";\ninclude :personal "vacation";\n',
    "rules": b'require "include";\n# main\ninclude :personal "lists";\nkeep;\n',
    "spam": b"keep;\n",
}


def test_delete_and_rename_keep_what_the_active_script_includes(admin):
    """As DELETESCRIPT/RENAMESCRIPT: alice's active 'rules' includes 'lists', which includes 'vacation', so
    neither goes, with the server's message; bob has the same scripts but none active, so his go, and one
    user's refusal does not stop the others (exit 1)."""
    admin.seed("alice", INCLUDE_CHAIN, active="rules")
    admin.seed("bob", INCLUDE_CHAIN)
    deleted = admin.ctl("delete", "-u", "alice", "-u", "bob", "lists")
    assert deleted.returncode == 1
    assert deleted.stderr.decode() == (
        "managesievectl: alice: 'lists' is included by the active script 'rules' (line 3). Remove the include or "
        "deactivate 'rules' first.\n")
    assert deleted.stdout.decode() == "bob: deleted 'lists'\n"
    assert (admin.storage("alice") / "lists.sieve").exists() and not (admin.storage("bob") / "lists.sieve").exists()
    renamed = admin.ctl("rename", "alice", "vacation", "holiday")
    assert renamed.returncode == 1
    assert b"'vacation' is included by 'lists' (line 2), which the active script 'rules' includes " \
        b"(rules -> lists -> vacation)" in renamed.stderr
    assert (admin.storage("alice") / "vacation.sieve").exists() and not (admin.storage("alice") / "holiday.sieve").exists()
    as_json = admin.ctl("delete", "-A", "--json", "vacation")
    objects = json_lines(as_json)
    [refusal] = [o for o in objects if o.get("user") == "alice"]
    assert refusal["script"] == "vacation" and refusal["ok"] is False
    assert refusal["error"].startswith("'vacation' is included by 'lists' (line 2)")
    assert {"user": "bob", "script": "vacation", "ok": True} in objects
    # What the active script does not include goes as before.
    assert admin.ctl("delete", "alice", "spam").returncode == 0
    assert admin.ctl("rename", "alice", "rules", "main").returncode == 0
    assert os.readlink(admin.home("alice") / ".dovecot.sieve") == "sieve/main.sieve"


def test_put_of_an_included_script_is_checked_with_the_active_script(admin):
    """As PUTSCRIPT: a new version of a script the active script includes is refused, with the active script's
    new errors, when the active script would no longer compile with it; other versions and other scripts are
    stored."""
    settings = b'require ["include", "variables"];\nglobal "folder";\nset "global.folder" "Lists";\n'
    main = (b'require ["include", "variables", "fileinto"];\ninclude :personal "settings";\n'
            b'global "folder";\nfileinto "${folder}";\n')
    admin.seed("alice", {"settings": settings, "main": main}, active="main")
    admin.seed("bob", {"settings": settings, "main": main})
    broken = b'require "include";\ninclude :personal "gone";\n'
    put = admin.ctl("put", "-u", "alice", "-u", "bob", "settings", "-", input=broken)
    assert put.returncode == 1
    assert put.stderr.decode().startswith(
        "managesievectl: alice: 'settings' is included by the active script 'main', which would no longer compile "
        "with this version:\nin included script 'settings': line 2: error: included script 'gone' does not exist")
    assert "bob: stored 'settings'" in put.stdout.decode()
    assert (admin.storage("alice") / "settings.sieve").read_bytes() == settings
    assert (admin.storage("bob") / "settings.sieve").read_bytes() == broken
    as_json = admin.ctl("put", "alice", "--json", "settings", "-", input=broken)
    [refusal] = json_lines(as_json)
    assert refusal["script"] == "settings" and refusal["ok"] is False and "would no longer compile" in refusal["error"]
    # A version that keeps 'main' whole is stored; so is the broken text under a name 'main' does not include.
    fitting = settings.replace(b"Lists", b"Other")
    assert admin.ctl("put", "alice", "settings", "-", input=fitting).returncode == 0
    assert (admin.storage("alice") / "settings.sieve").read_bytes() == fitting
    unrelated = admin.ctl("put", "alice", "unrelated", "-", input=broken)
    assert unrelated.returncode == 0, unrelated.stderr
    assert (admin.storage("alice") / "unrelated.sieve").read_bytes() == broken


# --- recheck -----------------------------------------------------------------------------------------------

VACATION = b'require "vacation";\nvacation :days 3 "away";\n'


def test_recheck_finds_scripts_broken_by_a_configuration_change(admin):
    """Scripts uploaded while vacation was on; the new configuration switches it off. alice's active script
    breaks (exit 1), bob's only in an inactive one (exit 65), carol's are fine."""
    admin.seed("alice", {"away": VACATION, "plain": b"keep;\n"}, active="away")
    admin.seed("bob", {"away": VACATION, "main": b"keep;\n"}, active="main")
    admin.seed("carol@example.org", {"main": b"keep;\n"}, active="main")
    ok = admin.ctl("recheck", "alice", "bob", "carol@example.org")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.decode().splitlines() == ["recheck: 3 users, 5 scripts, 0 broken (0 active), 0 not checked"]
    new = admin.root / "new.conf"
    new.write_text(admin.config.read_text() + "sieve_extensions = -vacation\n")
    before = tree_state(admin.homes)
    broken = admin.ctl("recheck", "alice", "bob", "carol@example.org", config=new)
    assert broken.returncode == 1
    lines = broken.stdout.decode().splitlines()
    assert lines[0] == "* alice away" and "away:1:" in lines[1] and "vacation" in lines[1]
    assert "  bob away" in lines
    assert lines[-1] == "recheck: 3 users, 5 scripts, 2 broken (1 active), 0 not checked"
    only_inactive = admin.ctl("recheck", "bob", "carol@example.org", config=new)
    assert only_inactive.returncode == 65
    assert admin.ctl("recheck", "carol@example.org", config=new).returncode == 0
    assert tree_state(admin.homes) == before


def test_recheck_json_and_all_users(admin):
    admin.seed("alice", {"away": VACATION}, active="away")
    admin.seed("bob", {"main": b"keep;\n", "away": VACATION})
    new = admin.root / "new.conf"
    new.write_text(admin.config.read_text() + "sieve_extensions = -vacation\n")
    result = admin.ctl("recheck", "--all-users", "--json", config=new)
    assert result.returncode == 1
    objects = json_lines(result)
    assert objects[0]["user"] == "alice" and objects[0]["script"] == "away"
    assert objects[0]["active"] is True and objects[0]["valid"] is False
    diagnostics = objects[0]["diagnostics"]
    assert [(d["line"], d["column"], d["severity"]) for d in diagnostics] == [(1, 9, "error"), (2, 1, "error")]
    assert all(set(d) == {"line", "column", "severity", "message"} for d in diagnostics)
    assert "unknown Sieve capability 'vacation'" in diagnostics[0]["message"]
    assert {k: objects[1][k] for k in ("user", "script", "active", "valid")} == \
        {"user": "bob", "script": "away", "active": False, "valid": False}
    # dave is outside the uid range: reported, not checked; erin (proxied) is not a local user.
    assert {"user": "dave", "ok": False, "error": "'dave': uid 50/gid 50 not allowed to log in (first_valid_uid…)"} \
        in objects
    assert objects[-1] == {"summary": {"users": 4, "scripts": 3, "broken": 2, "brokenActive": 1, "notChecked": 1}}
    # Without the broken active script, the user that could not be checked decides: 74.
    os.unlink(admin.home("alice") / ".dovecot.sieve")
    assert admin.ctl("recheck", "-A", config=new).returncode == 74
    assert admin.ctl("recheck", "-A", "-c", str(admin.root / "missing.conf")).returncode == 78
    assert admin.ctl("recheck").returncode == 64


def test_recheck_checks_a_regular_active_file_as_delivery_runs_it(admin):
    """A ~/.dovecot.sieve from before ManageSieve is a regular file that delivery runs: recheck judges it as the
    active script (under its own name) and leaves it where it is."""
    admin.seed("alice", {"other": b"keep;\n"})
    regular = admin.home("alice") / ".dovecot.sieve"
    regular.write_bytes(VACATION)
    os.chown(regular, 1501, 1501)
    new = admin.root / "new.conf"
    new.write_text(admin.config.read_text() + "sieve_extensions = -vacation\n")
    before = tree_state(admin.homes)
    result = admin.ctl("recheck", "alice", config=new)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "* alice .dovecot.sieve" and lines[-1].startswith("recheck: 1 users, 2 scripts, 1 broken (1")
    assert admin.ctl("recheck", "alice").returncode == 0
    assert tree_state(admin.homes) == before


def test_recheck_checks_the_active_script_with_its_includes(admin):
    """Delivery runs the active script with its includes: a missing include is an error there (at upload it
    is only a warning), so the active script is broken; the same script inactive is not."""
    main = b'require "include";\ninclude :personal "gone";\nkeep;\n'
    admin.seed("alice", {"main": main}, active="main")
    admin.seed("bob", {"main": main})
    result = admin.ctl("recheck", "alice", "bob")
    assert result.returncode == 1
    assert result.stdout.decode().splitlines()[0] == "* alice main"
    assert "bob" not in result.stdout.decode().splitlines()[1]
