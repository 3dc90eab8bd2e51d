"""Core server behaviour that a golden transcript cannot show: interrupted uploads, fd 0/1/2 hygiene,
the summary log line, configuration errors and exit codes."""

import os
import re
import socket
import subprocess
import time

from conftest import CTL, ROOT, SERVER, ServerEnv, plain_b64


def login_line(user="alice", password="secret") -> bytes:
    return f'AUTHENTICATE "PLAIN" "{plain_b64(user, password)}"\r\n'.encode()


def test_interrupted_upload_leaves_old_script_and_no_partial_file(server_env):
    old = b"require \"fileinto\";\r\nfileinto \"Old\";\r\n"
    server_env.run_pipes(login_line() + b'PUTSCRIPT "main" {%d+}\r\n' % len(old) + old + b"\r\nLOGOUT\r\n")
    storage = server_env.storage("alice")
    assert (storage / "main.sieve").read_bytes() == old
    # The client announces 10 000 octets, sends 3 000 and goes away.
    partial = b"#" * 3000
    out = server_env.run_pipes(login_line() + b'PUTSCRIPT "main" {10000+}\r\n' + partial)
    assert (storage / "main.sieve").read_bytes() == old
    leftovers = [p.name for p in storage.iterdir() if p.name != "main.sieve" and not p.name.startswith((".managesieved.lock", ".managesieved.history"))]
    assert leftovers == []
    assert "client disconnected" in server_env.log_text()


def test_nothing_but_protocol_bytes_on_stdout_and_nothing_on_stderr(server_env):
    proc = subprocess.run(
        [str(SERVER), "-c", str(server_env.config)], input=b"NOOP\r\nBOGUS\r\nLOGOUT\r\n",
        capture_output=True, timeout=20,
    )
    assert proc.returncode == 0
    assert proc.stderr == b""
    for line in proc.stdout.split(b"\r\n")[:-1]:
        assert line.startswith((b'"', b"OK", b"NO", b"BYE")), line


def test_summary_line_names_user_peer_bytes_commands_and_reason(server_env):
    env = dict(os.environ, SOCAT_PEERADDR="192.0.2.44", SOCAT_PEERPORT="5555")
    server_env.run_pipes(login_line() + b"LISTSCRIPTS\r\nLOGOUT\r\n", env=env)
    log = server_env.log_text()
    summary = [l for l in log.splitlines() if "session ended" in l]
    assert len(summary) == 1
    line = summary[0]
    assert "peer=192.0.2.44:5555" in line and "user=alice" in line
    assert "commands=3" in line and "reason=logout" in line
    assert " in=" in line and " out=" in line and "duration=" in line
    # Every line of the session carries the peer; lines after login carry the user.
    session_lines = [l for l in log.splitlines() if "managesieved[" in l]
    assert all("peer=192.0.2.44:5555" in l for l in session_lines)


def test_bad_configuration_refuses_service_with_bye_and_exit_78(env_root):
    env = ServerEnv(env_root)
    env.config.write_text(env.config.read_text() + "sieve_storge = ~/x\n")
    proc = subprocess.run([str(SERVER), "-c", str(env.config)], input=b"", capture_output=True, timeout=20)
    assert proc.returncode == 78
    assert proc.stdout.startswith(b"BYE ")
    assert proc.stderr == b""


def test_missing_configuration_file_exits_78(env_root):
    proc = subprocess.run([str(SERVER), "-c", str(env_root / "nope.conf")], input=b"", capture_output=True, timeout=20)
    assert proc.returncode == 78
    assert proc.stdout.startswith(b"BYE ")


def test_unknown_option_is_a_usage_error_without_output(server_env):
    proc = subprocess.run([str(SERVER), "--bogus"], input=b"", capture_output=True, timeout=20)
    assert proc.returncode == 64
    assert proc.stdout == b"" and proc.stderr == b""


def test_version_option():
    """Both programs print the release CHANGELOG.md's newest section names, then the C libraries linked in."""
    release = re.search(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M).group(1)
    for program in (SERVER, CTL):
        proc = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=20)
        assert proc.returncode == 0, proc.stderr
        name, openssl, crypt = proc.stdout.splitlines()
        assert name == f"{program.name} {release}"
        assert re.fullmatch(r"OpenSSL \d+\.\d+\.\d+.*", openssl), openssl
        assert re.fullmatch(r"libxcrypt \d+\.\d+\.\d+", crypt), crypt


def test_malformed_passwd_lines_are_skipped_and_logged(env_root):
    env = ServerEnv(env_root)
    text = env.passwd.read_text()
    env.passwd.write_text("broken line without colons\nmallory::notanumber:1::/tmp::\n" + text)
    out = env.run_pipes(login_line("mallory", "x") + login_line() + b"LOGOUT\r\n")
    lines = out.split(b"\r\n")
    assert b"OK" in lines and b'NO "Authentication failed."' in lines
    # The line naming the user who tried is logged with its number; other lines are not parsed at login
    # (managesievectl config reports every malformed line).
    log = env.log_text()
    assert "passwd:2: invalid uid 'notanumber'" in log


def test_root_user_never_logs_in(env_root):
    env = ServerEnv(env_root)
    hashed_line = env.passwd.read_text().splitlines()[0].split(":")
    env.passwd.write_text(f"toor:{hashed_line[1]}:0:0::/root::\n")
    out = env.run_pipes(login_line("toor", "secret") + b"LOGOUT\r\n")
    assert b'NO "Authentication failed."' in out
    assert "uid 0" in env.log_text()


def test_failure_delay_applies(env_root):
    env = ServerEnv(env_root, "auth_failure_delay = 300 ms")
    start = time.monotonic()
    env.run_pipes(login_line("alice", "wrong") + b"LOGOUT\r\n")
    assert time.monotonic() - start >= 0.3


def test_socat_tcp_session_and_sievelib(socat_server):
    from sievelib.managesieve import Client

    client = Client("127.0.0.1", socat_server.port)
    assert client.connect("alice", "secret", starttls=False, authmech="PLAIN")
    script = 'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n'
    assert client.putscript("lib", script)
    assert client.setactive("lib")
    active, others = client.listscripts()
    assert active == "lib"
    # sievelib normalises line ends on download; the stored bytes are exactly what was sent.
    assert client.getscript("lib").splitlines() == script.splitlines()
    assert (socat_server.env.storage("alice") / "lib.sieve").read_bytes() == script.encode()
    assert client.deletescript("lib") is False  # active: refused
    client.logout()
    log = socat_server.env.log_text()
    assert "peer=127.0.0.1:" in log


def test_config_check_names_a_trusted_network_the_server_would_skip(env_root):
    from conftest import CTL

    env = ServerEnv(env_root, "haproxy_trusted_networks = 10.0.0.0/8 10.1.0.0/33\n"
                              "login_trusted_networks = proxy.example.org ::1")
    check = subprocess.run([str(CTL), "config", "-c", str(env.config), "-n"], capture_output=True, timeout=30)
    assert check.returncode == 1, check
    assert b"haproxy_trusted_networks: '10.1.0.0/33' is not an address or ADDRESS/BITS" in check.stderr
    assert b"login_trusted_networks: 'proxy.example.org' is not an address" in check.stderr
    assert b"'10.0.0.0/8'" not in check.stderr and b"'::1'" not in check.stderr
    env.write_config("haproxy_trusted_networks = 10.0.0.0/8 10.1.0.0/16\nlogin_trusted_networks = ::1")
    good = subprocess.run([str(CTL), "config", "-c", str(env.config), "-n"], capture_output=True, timeout=30)
    assert good.returncode == 0, good.stderr


def test_config_check_builds_the_tls_context_like_the_server(env_root):
    from conftest import CTL, test_pki

    pki = test_pki()
    env = ServerEnv(env_root, f"ssl = yes\nssl_cert = {pki.server_cert}\nssl_key = {pki.other_key}")
    check = subprocess.run([str(CTL), "config", "-c", str(env.config), "-n"], capture_output=True, timeout=30)
    assert check.returncode == 1
    assert b"TLS:" in check.stderr and b"does not match" in check.stderr
    # The server builds the context when TLS is first needed, and logs the same problem then.
    proc = subprocess.run([str(SERVER), "-c", str(env.config)], input=b"STARTTLS\r\n", capture_output=True,
                          timeout=20)
    assert proc.returncode == 0 and b'"STARTTLS"' in proc.stdout
    assert "cannot start TLS: the TLS private key does not match the certificate" in env.log_text()
    env.write_config(f"ssl = yes\nssl_cert = {pki.server_cert}\nssl_key = {pki.server_key}")
    good = subprocess.run([str(CTL), "config", "-c", str(env.config), "-n"], capture_output=True, timeout=30)
    assert good.returncode == 0, good.stderr
