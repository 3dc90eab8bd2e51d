"""Coming from Dovecot: passwd-files made by the real `doveadm pw` (Debian's dovecot-core, generated at run
time, one user per scheme), each logging in with AUTHENTICATE PLAIN over socat; wrong passwords refused; each
failed login logged with its reason in the documented format (managesieved(8), LOGGING)."""

import re
import shutil
import subprocess

import pytest

from conftest import TEST_GID, TEST_UID, IS_ROOT, ServerEnv, Wire, plain_b64, serving, traversable_tmp, wait_for_log

PASSWORD = "Dove cot 2.3!"

# Every scheme of `doveadm pw -l` that can verify a plaintext password, with the encoding suffixes.
# Not here: OTP (one-time passwords change at each login) and PLAIN-TRUNC, whose doveadm output lacks the
# "<length>-" prefix that Dovecot's own verifier needs (the unit tests cover the form Dovecot accepts).
SCHEMES = [
    "SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "MD5-CRYPT", "DES-CRYPT", "CRYPT", "SCRAM-SHA-1", "SCRAM-SHA-256",
    "SSHA", "SSHA256", "SSHA512", "SHA", "SHA1", "SHA256", "SHA512", "SMD5", "PLAIN-MD5", "MD5", "LDAP-MD5",
    "PLAIN-MD4", "CRAM-MD5", "HMAC-MD5", "DIGEST-MD5", "PBKDF2", "ARGON2I", "ARGON2ID", "PLAIN", "CLEAR",
    "CLEARTEXT", "SHA256.HEX", "SSHA512.HEX", "PLAIN-MD5.B64", "SHA.B64", "PLAIN.B64", "PLAIN.HEX",
]


def doveadm(scheme: str, password: str, user: str) -> str:
    if shutil.which("doveadm") is None:
        pytest.fail("doveadm is not installed (the test dependencies install dovecot-core)")
    out = subprocess.run(["doveadm", "pw", "-s", scheme, "-p", password, "-u", user],
                         capture_output=True, text=True, check=True)
    field = out.stdout.strip()
    assert field.startswith("{"), field
    return field


def user_for(scheme: str) -> str:
    return "u-" + scheme.lower().replace(".", "-")


@pytest.fixture(scope="module")
def dovecot_env():
    root = traversable_tmp()
    env = ServerEnv(root, users={"placeholder": "x"})
    lines = []
    for scheme in SCHEMES:
        user = user_for(scheme)
        home = env.homes / user
        home.mkdir()
        if IS_ROOT:
            import os
            os.chown(home, TEST_UID, TEST_GID)
        lines.append(f"{user}:{doveadm(scheme, PASSWORD, user)}:{TEST_UID}:{TEST_GID}::{home}::")
    # A scheme nobody knows, and one Dovecot knows that cannot verify a password that is typed.
    lines.append(f"u-unknown:{{NOSUCH}}abc:{TEST_UID}:{TEST_GID}::{env.homes}::")
    lines.append(f"u-otp:{doveadm('OTP', PASSWORD, 'u-otp')}:{TEST_UID}:{TEST_GID}::{env.homes}::")
    env.passwd.write_text("\n".join(lines) + "\n")
    env.write_config("auth_max_attempts = 10")
    with serving(env) as server:
        yield env, server
    shutil.rmtree(root, ignore_errors=True)


def login(port: int, user: str, password: str) -> list[bytes]:
    wire = Wire(port)
    wire.response()
    reply = wire.command(f'AUTHENTICATE "PLAIN" "{plain_b64(user, password)}"\r\n'.encode())
    wire.close()
    return reply


@pytest.mark.parametrize("scheme", SCHEMES)
def test_doveadm_hash_logs_in_and_refuses_a_wrong_password(dovecot_env, scheme):
    env, server = dovecot_env
    user = user_for(scheme)
    assert login(server.port, user, PASSWORD)[-1] == b"OK", f"{scheme} did not log in"
    # Wrong from the first octet: DES crypt reads only the first 8.
    assert login(server.port, user, "x" + PASSWORD) == [b'NO "Authentication failed."']
    wait_for_log(env, rf"^\S+ managesieved\[\d+\]: peer=127\.0\.0\.1:\d+: login failed: reason=wrong-password "
                      rf"user={user} method=PLAIN$")


@pytest.mark.parametrize("user,scheme", [("u-unknown", "NOSUCH"), ("u-otp", "OTP")])
def test_unusable_scheme_is_logged_as_such(dovecot_env, user, scheme):
    env, server = dovecot_env
    assert login(server.port, user, PASSWORD) == [b'NO "Authentication failed."']
    wait_for_log(env, rf"peer=127\.0\.0\.1:\d+: login failed: reason=unsupported-scheme user={user} "
                      rf"method=PLAIN: .*password scheme \{{{scheme}\}}")


def test_unknown_user_is_logged_as_such(dovecot_env):
    env, server = dovecot_env
    assert login(server.port, "u-ghost", PASSWORD) == [b'NO "Authentication failed."']
    wait_for_log(env, r"peer=127\.0\.0\.1:\d+: login failed: reason=unknown-user user=u-ghost method=PLAIN$")


# --- fail2ban and logrotate (contrib/) ----------------------------------------------------------------------

ROOT_DIR = __import__("pathlib").Path(__file__).resolve().parents[2]
FILTER = ROOT_DIR / "contrib" / "fail2ban" / "filter.d" / "managesieved.conf"


def test_fail2ban_filter_matches_every_counted_failure_with_the_peer(dovecot_env):
    """Real log lines: the failures the filter counts (one per attempt), nothing else, each with 127.0.0.1."""
    if shutil.which("fail2ban-regex") is None:
        pytest.fail("fail2ban-regex is not installed (the test dependencies install fail2ban)")
    env, server = dovecot_env
    before = len(env.log_text().splitlines())
    assert login(server.port, "u-ssha", PASSWORD)[-1] == b"OK"
    assert login(server.port, "u-ssha", "wrong") == [b'NO "Authentication failed."']
    assert login(server.port, "u-nobody", PASSWORD) == [b'NO "Authentication failed."']
    assert login(server.port, "u-unknown", PASSWORD) == [b'NO "Authentication failed."']
    wire = Wire(server.port)
    wire.response()
    wire.send(b'AUTHENTICATE "PLAIN"\r\n')
    assert wire.line() == b'""'  # the empty challenge
    assert wire.command(b'"*"\r\n') == [b'NO "Authentication aborted by client."']
    assert wire.command(b'AUTHENTICATE "PLAIN" "%%%"\r\n')[-1].startswith(b"NO")
    wire.close()
    wait_for_log(env, r"reason=malformed")
    log = env.root / "slice.log"
    lines = env.log_text().splitlines()[before:]
    log.write_text("\n".join(lines) + "\n")
    failures = [l for l in lines if ": login failed: " in l]
    assert {l.split("reason=")[1].split()[0] for l in failures} == {
        "wrong-password", "unknown-user", "unsupported-scheme", "cancelled", "malformed"}, failures
    # Installed next to Debian's common.conf, as the filter's header says.
    filter_dir = env.root / "fail2ban" / "filter.d"
    filter_dir.mkdir(parents=True)
    shutil.copy("/etc/fail2ban/filter.d/common.conf", filter_dir)
    installed = filter_dir / "managesieved.conf"
    shutil.copy(FILTER, installed)
    out = subprocess.run(["fail2ban-regex", "--print-all-matched", str(log), str(installed)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Failregex: {len(failures)} total" in out.stdout, out.stdout
    assert "127.0.0.1" in out.stdout
    # Syslog's form of the same lines, and an IPv6 peer, match too.
    syslog = env.root / "syslog.log"
    syslog.write_text(
        "Dec  6 22:00:01 mx managesieved[4242]: peer=[2001:db8::7]:51234: login failed: reason=wrong-password "
        "user=bob method=PLAIN\n"
        "Dec  6 22:00:02 mx managesieved[4243]: peer=192.0.2.9:4190: login failed: reason=too-many-attempts "
        "user=- method=-: 3 failed logins\n"
        "Dec  6 22:00:03 mx managesieved[4244]: peer=192.0.2.9:4191: login: user=bob method=PLAIN\n")
    out = subprocess.run(["fail2ban-regex", "--print-all-matched", str(syslog), str(installed)],
                         capture_output=True, text=True, timeout=120)
    assert "Failregex: 1 total" in out.stdout and "2001:db8::7" in out.stdout, out.stdout


def test_logrotate_snippet_rotates_the_log(tmp_path):
    if shutil.which("logrotate") is None:
        pytest.fail("logrotate is not installed (the test dependencies install it)")
    snippet = (ROOT_DIR / "contrib" / "logrotate.d" / "managesieved").read_text()
    log = tmp_path / "managesieved.log"
    log.write_text("x\n")
    conf = tmp_path / "logrotate.conf"
    conf.write_text(snippet.replace("/var/log/managesieved.log", str(log)).replace("create 0640 root adm",
                                                                                  "create 0640"))
    out = subprocess.run(["logrotate", "-f", "-s", str(tmp_path / "state"), str(conf)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "managesieved.log.1").read_text() == "x\n"
    assert log.exists() and log.read_text() == ""


# --- configuration lines pasted from Dovecot ---------------------------------------------------------------

def ctl_config(env: ServerEnv, *args: str) -> subprocess.CompletedProcess:
    from conftest import CTL
    return subprocess.run([str(CTL), "config", "-c", str(env.config), *args], capture_output=True, text=True,
                          timeout=60)


def test_debian_conf_d_lines_work_unchanged(env_root):
    """Lines as in Debian's 10-ssl.conf, 20-managesieve.conf and 90-sieve.conf: `<file` certificates, blocks,
    Pigeonhole's location; config names what does not apply and passes; the server serves TLS and stores scripts
    where the location says."""
    from conftest import client_tls_context, test_pki

    pki = test_pki()
    env = ServerEnv(env_root)
    env.write_config(
        "protocols = $protocols sieve\n"
        "ssl = yes\n"
        f"ssl_cert = <{pki.server_cert}\n"
        f"ssl_key = <{pki.server_key}\n"
        "ssl_dh = </usr/share/dovecot/dh.pem\n"
        "service managesieve-login {\n  inet_listener sieve {\n    port = 4190\n  }\n}\n"
        "protocol sieve {\n  managesieve_max_compile_errors = 7\n}\n"
        "plugin {\n  sieve = file:~/scripts;active=~/.active.sieve\n}\n")
    out = ctl_config(env)
    assert out.returncode == 0, out.stderr
    assert "Dovecot's service blocks configure the listener; here inetd/xinetd/systemd do" in out.stderr
    assert "protocols: ignored" in out.stderr and "ssl_dh: ignored" in out.stderr
    assert f"ssl_cert = {pki.server_cert}\n" in out.stdout
    assert "sieve_storage = ~/scripts\n" in out.stdout and "sieve = ~/.active.sieve\n" in out.stdout
    assert "managesieve_max_compile_errors = 7\n" in out.stdout
    with serving(env) as server:
        wire = Wire(server.port)
        wire.response()
        wire.starttls(client_tls_context())
        assert wire.command(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\n'.encode()) == [b"OK"]
        assert wire.command(b'PUTSCRIPT "s" {5+}\r\nkeep;\r\n') == [b"OK"]
        assert wire.command(b'SETACTIVE "s"\r\n') == [b"OK"]
        wire.close()
    home = env.home("alice")
    assert (home / "scripts" / "s.sieve").read_text() == "keep;"
    assert (home / ".active.sieve").is_symlink()


@pytest.mark.parametrize("lines,storage", [
    ("mail_location = maildir:~/Maildir", "~/Maildir/sieve"),
    ("mail_location = maildir:~/Maildir:INBOX=~/Maildir/.INBOX:CONTROL=~/control", "~/control/sieve"),
    ("mail_location = mbox:~/mail:INBOX=/var/mail/%u", "~/mail/sieve"),
    ("mail_location = maildir:~/Maildir\nsieve_dir = ~/old-sieve", "~/old-sieve"),
    ("mail_location = maildir:~/Maildir\nsieve_storage = /srv/sieve/%u", "/srv/sieve/%u"),
])
def test_storage_follows_pigeonhole(env_root, lines, storage):
    env = ServerEnv(env_root)
    env.write_config(lines)
    out = ctl_config(env)
    assert out.returncode == 0, out.stderr
    assert f"sieve_storage = {storage}\n" in out.stdout


def test_mail_location_storage_is_used_by_the_server(env_root):
    env = ServerEnv(env_root, "mail_location = maildir:~/Maildir:CONTROL=~/control")
    out = env.run_pipes(f'AUTHENTICATE "PLAIN" "{plain_b64("alice", "secret")}"\r\n'
                        'PUTSCRIPT "s" {5+}\r\nkeep;\r\nLOGOUT\r\n'.encode())
    assert out.count(b"\r\nOK") >= 3, out
    assert (env.home("alice") / "control" / "sieve" / "s.sieve").read_text() == "keep;"


def test_mail_debug_turns_on_debug_lines(env_root):
    env = ServerEnv(env_root)
    env.run_pipes(b"BOGUS\r\nLOGOUT\r\n")
    assert "invalid command" not in env.log_text()
    env.write_config("mail_debug = yes")
    env.run_pipes(b"BOGUS\r\nLOGOUT\r\n")
    assert "invalid command" in env.log_text()


@pytest.mark.parametrize("extra,message", [
    ("sieve_storage = sieve", "relative path"),
    ("sieve = .dovecot.sieve", "relative path"),
    ("sieve_storage = ~/sieve;active=~/.dovecot.sieve", "contains ';'"),
    ("ssl = yes", "ssl_cert is not set"),
    ("ssl_cert = </nonexistent.pem\nssl = yes\nssl_key = /nonexistent.key", "cannot read /nonexistent.pem"),
])
def test_config_fails_where_the_server_would_refuse(env_root, extra, message):
    import os
    env = ServerEnv(env_root)
    env.write_config(extra)
    out = ctl_config(env)
    if "nonexistent" in extra and os.geteuid() != 0:
        pytest.skip("unreadable files are errors only when checked as root")
    assert out.returncode == 1, out.stdout
    assert message in out.stderr


@pytest.mark.parametrize("line,message", [
    ("u-x:{NOSUCH}abc:{uid}:{gid}::/tmp::", "user 'u-x' cannot log in: unknown password scheme {NOSUCH}"),
    ("u-x:{SSHA}AAAA:{uid}:{gid}::/tmp::", "user 'u-x' cannot log in: malformed {SSHA} password"),
    ("u-x:{PLAIN}x:{uid}:{gid}::/tmp::proxy host=127.0.0.1", "user 'u-x' is proxied, but proxy_user is not set"),
])
def test_config_fails_on_passwd_entries_that_cannot_log_in(env_root, line, message):
    env = ServerEnv(env_root)
    with env.passwd.open("a") as f:
        f.write(line.replace("{uid}", str(TEST_UID)).replace("{gid}", str(TEST_GID)) + "\n")
    out = ctl_config(env)
    assert out.returncode == 1
    assert re.search(rf"error: {re.escape(str(env.passwd))}:3: {re.escape(message)}", out.stderr), out.stderr


def test_config_warns_about_weak_schemes_and_prints_derived_defaults(env_root):
    env = ServerEnv(env_root)
    with env.passwd.open("a") as f:
        f.write(f"u-md5:{doveadm('PLAIN-MD5', PASSWORD, 'u-md5')}:{TEST_UID}:{TEST_GID}::/tmp::\n")
        f.write(f"u-sha:{doveadm('SHA', PASSWORD, 'u-sha')}:{TEST_UID}:{TEST_GID}::/tmp::\n")
    out = ctl_config(env)
    assert out.returncode == 0, out.stderr
    assert "weak password scheme PLAIN-MD5" in out.stderr and "weak password scheme SHA " in out.stderr
    assert "sieve_extensions = fileinto reject envelope" in out.stdout
    assert "disable_plaintext_auth = no\n" in out.stdout


def test_unknown_keys_and_blocks_are_still_errors_or_explained(env_root):
    env = ServerEnv(env_root)
    env.write_config("sieve_max_scrip_size = 1M")
    out = ctl_config(env)
    assert out.returncode == 1 and "did you mean 'sieve_max_script_size'" in out.stderr
    env.write_config("no_such_thing = 1")
    assert ctl_config(env).returncode == 1
    env.write_config("!include conf.d/*.conf")
    out = ctl_config(env)
    assert out.returncode == 1 and "includes are not supported" in out.stderr
    env.write_config("plugin {\n  sieve = file:~/sieve\n")
    out = ctl_config(env)
    assert out.returncode == 1 and "not closed" in out.stderr
    # The server refuses what config refuses.
    proc = subprocess.run([str(__import__("conftest").SERVER), "-c", str(env.config)], input=b"",
                          capture_output=True, timeout=20)
    assert proc.returncode == 78


@pytest.mark.parametrize("scheme", ["SHA512-CRYPT", "BLF-CRYPT", "CRYPT", "ARGON2ID", "ARGON2I", "PBKDF2",
                                    "SCRAM-SHA-256", "SCRAM-SHA-1"])
def test_hash_password_output_is_verified_by_doveadm(scheme):
    """What `managesievectl hash-password` makes, Dovecot itself accepts (`doveadm pw -t`)."""
    from conftest import crypt_hash
    field = crypt_hash(PASSWORD, scheme)
    assert field.startswith("{"), field
    if shutil.which("doveadm") is None:
        pytest.fail("doveadm is not installed (the test dependencies install dovecot-core)")
    ok = subprocess.run(["doveadm", "pw", "-t", field, "-p", PASSWORD], capture_output=True, text=True)
    assert ok.returncode == 0 and "(verified)" in ok.stdout + ok.stderr, ok.stdout + ok.stderr
    bad = subprocess.run(["doveadm", "pw", "-t", field, "-p", "x" + PASSWORD], capture_output=True, text=True)
    assert bad.returncode != 0


def test_disabled_account_and_too_many_attempts_are_logged_as_such(env_root):
    env = ServerEnv(env_root)
    with env.passwd.open("a") as f:
        f.write(f"gone:{doveadm('SSHA256', PASSWORD, 'gone')}:{TEST_UID}:{TEST_GID}::{env.homes}::nologin reason=moved\n")
    right = plain_b64("gone", PASSWORD)
    wrong = plain_b64("alice", "nope")
    out = env.run_pipes(f'AUTHENTICATE "PLAIN" "{right}"\r\nAUTHENTICATE "PLAIN" "{wrong}"\r\n'
                        f'AUTHENTICATE "PLAIN" "{wrong}"\r\n'.encode())
    assert b"\r\nBYE " in out, out  # the third failure ends the session
    log = env.log_text()
    assert re.search(r"^\S+ managesieved\[\d+\]: peer=local: login failed: reason=disabled user=gone method=PLAIN: ",
                     log, re.M), log
    assert re.search(r"peer=local: login failed: reason=wrong-password user=alice method=PLAIN$", log, re.M), log
    assert re.search(r"peer=local: login failed: reason=too-many-attempts user=- method=-: 3 failed logins$",
                     log, re.M), log
