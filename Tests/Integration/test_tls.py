"""STARTTLS and implicit TLS end to end (issue 4), against the built server behind socat, with real TLS clients
(openssl s_client, Python's ssl module, sieve-connect) and a CA made at test time; plus every refusal:
STARTTLS twice or after login, plaintext AUTHENTICATE before TLS, ssl = required, commands pipelined behind
STARTTLS, clients dropping mid-handshake, and bad certificate/key files at start-up."""

import base64
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from conftest import (CTL, SERVER, USERS, ServerEnv, Wire, capability, client_tls_context, plain_b64, serving,
                      test_pki, wait_for_log)

PASSWORD = USERS["alice"]
AUTH_PLAIN = b'AUTHENTICATE "PLAIN" "' + plain_b64("alice", PASSWORD).encode() + b'"\r\n'


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is not installed (tools/install-test-deps installs it)")
    return path


@pytest.fixture
def tls_env(env_root):
    return ServerEnv(env_root, tls=True)


@pytest.fixture
def tls_server(tls_env):
    with serving(tls_env) as server:
        yield server


def s_client(port: int, *extra: str, stdin: bytes = b"LOGOUT\n") -> subprocess.CompletedProcess:
    return subprocess.run(
        [need("openssl"), "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(test_pki().ca),
         "-verify_return_error", "-crlf", "-ign_eof", "-nocommands", *extra],
        input=stdin, capture_output=True, timeout=30,
    )


# --- STARTTLS with real clients ---------------------------------------------------------------------------


def test_openssl_s_client_starttls_gets_the_capabilities_again(tls_server):
    result = s_client(tls_server.port, "-starttls", "sieve", stdin=b'NOOP "x"\nLOGOUT\n')
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "Verify return code: 0 (ok)" in out
    assert re.search(r"New, TLSv1\.3, Cipher is", out)
    # s_client consumes the plaintext greeting and the STARTTLS answer; what follows came inside TLS: the
    # capability block again (RFC 5804 §2.2), now without STARTTLS, and with the SASL mechanisms.
    inside = out[out.index("---\n", out.index("Verify return code")):]
    # ("closed" is s_client's note on the server's close_notify.)
    lines = [l.encode() for l in inside.splitlines()[1:] if l != "closed"]
    assert capability(lines, "IMPLEMENTATION") == "managesieved"
    assert capability(lines, "SASL") == "PLAIN LOGIN"
    assert capability(lines, "STARTTLS") is None
    assert lines[-3:] == [b"OK", b'OK (TAG "x")', b"OK"]
    wait_for_log(tls_server.env, r"TLS started: TLSv1\.3 \S+(.|\n)*session ended: .*reason=logout")


def test_python_ssl_starttls_by_hand(tls_server):
    wire = Wire(tls_server.port)
    greeting = wire.response()
    assert capability(greeting, "STARTTLS") == ""
    # disable_plaintext_auth defaults to yes when ssl is on: nothing to offer before TLS.
    assert capability(greeting, "SASL") == ""
    caps = wire.starttls(client_tls_context())
    assert wire.sock.version() == "TLSv1.3"
    assert capability(caps, "STARTTLS") is None
    assert capability(caps, "SASL") == "PLAIN LOGIN"
    assert caps[-1] == b"OK"
    assert wire.command(AUTH_PLAIN) == [b"OK"]
    assert wire.command(b"LISTSCRIPTS\r\n") == [b"OK"]
    assert wire.command(b"LOGOUT\r\n") == [b"OK"]
    wire.close()
    wait_for_log(tls_server.env, r"login: user=alice method=PLAIN tls")


def test_sieve_connect_starttls(tls_server, tmp_path):
    client = need("sieve-connect")
    local = tmp_path / "rules.sieve"
    local.write_bytes(b'require "fileinto";\r\nfileinto "Junk";\r\n')
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    with open(password_file) as password:
        # STARTTLS is sieve-connect's default; --noclearauth refuses to send the password without TLS.
        result = subprocess.run(
            [client, "--server", "localhost", "--port", str(tls_server.port), "--user", "alice",
             "--tlscafile", str(test_pki().ca), "--noclearauth", "--authmech", "PLAIN",
             "--passwordfd", str(password.fileno()), "--upload", "--localsieve", str(local),
             "--remotesieve", "viatls"],
            pass_fds=(password.fileno(),), capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tls_server.env.storage("alice") / "viatls.sieve").read_bytes() == local.read_bytes()
    wait_for_log(tls_server.env, r"TLS started: TLSv1\.3(.|\n)*login: user=alice method=PLAIN tls")


# --- implicit TLS: a port of its own (--implicit-tls), or the opt-in sniff on the STARTTLS port -------------


@pytest.fixture
def implicit_server(tls_env):
    with serving(tls_env, implicit_tls=True) as server:
        yield server


def test_openssl_s_client_implicit_tls(implicit_server):
    tls_server = implicit_server
    result = s_client(tls_server.port, stdin=b"CAPABILITY\nLOGOUT\n")
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "Verify return code: 0 (ok)" in out
    lines = [l.encode() for l in out[out.index("---\n", out.index("Verify return code")):].splitlines()]
    # The greeting itself comes inside TLS, without STARTTLS and with the mechanisms TLS allows; then the
    # answers to CAPABILITY and LOGOUT.
    assert capability(lines, "IMPLEMENTATION") == "managesieved"
    assert sum(1 for l in lines if l.startswith(b'"IMPLEMENTATION"')) == 2
    assert [l for l in lines if l.startswith(b"OK")][-1] == b"OK"
    assert capability(lines, "STARTTLS") is None
    assert capability(lines, "SASL") == "PLAIN LOGIN"
    wait_for_log(tls_server.env, r"implicit TLS started: TLSv1\.3")


def test_python_ssl_implicit_tls(implicit_server):
    tls_server = implicit_server
    wire = Wire(tls_server.port, implicit_tls=client_tls_context())
    greeting = wire.response()
    assert greeting[-1].startswith(b"OK")
    assert capability(greeting, "IMPLEMENTATION") == "managesieved"
    assert capability(greeting, "STARTTLS") is None
    assert capability(greeting, "SASL") == "PLAIN LOGIN"
    assert wire.command(b"STARTTLS\r\n") == [b'NO "TLS is already active."']
    assert wire.command(AUTH_PLAIN) == [b"OK"]
    assert wire.command(b"LOGOUT\r\n") == [b"OK"]
    wire.close()
    wait_for_log(tls_server.env, r"login: user=alice method=PLAIN tls")
    wait_for_log(tls_server.env, r"connect \(TLS context built;")


def test_implicit_tls_by_sniffing_when_the_admin_opts_in(env_root):
    """ssl_sniff_timeout > 0: one port for both kinds of client (each STARTTLS client waits that long)."""
    env = ServerEnv(env_root, tls=True, extra_config="ssl_sniff_timeout = 2 s")
    with serving(env) as server:
        wire = Wire(server.port, implicit_tls=client_tls_context())
        greeting = wire.response()
        assert capability(greeting, "STARTTLS") is None and capability(greeting, "SASL") == "PLAIN LOGIN"
        wire.close()
        wait_for_log(env, r"implicit TLS started: TLSv1\.3")
        plain = Wire(server.port)
        assert capability(plain.response(), "STARTTLS") == ""
        plain.close()


def test_a_starttls_client_pays_no_sniff_and_no_tls_context_before_its_greeting(tls_server):
    """The default: no wait for a client that might speak TLS first, no OpenSSL set-up before the greeting (the
    connect line says what the start-up did, so this fails if either comes back)."""
    env = tls_server.env
    env.write_config("ssl_sniff_timeout = 3 s")
    slow = Wire(tls_server.port)
    started = time.monotonic()
    slow.response()
    assert time.monotonic() - started >= 2.5, "the opt-in sniff waits"
    slow.close()
    env.write_config("")
    wire = Wire(tls_server.port)
    started = time.monotonic()
    greeting = wire.response()
    assert time.monotonic() - started < 2.5
    assert capability(greeting, "STARTTLS") == ""
    assert wire.command(b"LOGOUT\r\n") == [b"OK"]
    wire.close()
    wait_for_log(env, r"connect \(TLS context not built; passwd-file: nothing parsed for the greeting\)")
    # STARTTLS builds it.
    wire = Wire(tls_server.port)
    wire.response()
    wire.starttls(client_tls_context())
    wire.close()
    wait_for_log(env, r"TLS started: TLSv1\.3")


# --- refusals ---------------------------------------------------------------------------------------------


def test_starttls_twice_is_refused(tls_server):
    wire = Wire(tls_server.port)
    wire.response()
    wire.starttls(client_tls_context())
    assert wire.command(b"STARTTLS\r\n") == [b'NO "TLS is already active."']
    assert wire.command(b"NOOP\r\n") == [b"OK"], "the TLS session goes on"
    wire.close()


def test_starttls_after_login_is_refused(env_root):
    env = ServerEnv(env_root, tls=True, extra_config="disable_plaintext_auth = no")
    with serving(env) as server:
        wire = Wire(server.port)
        assert capability(wire.response(), "SASL") == "PLAIN LOGIN"
        assert wire.command(AUTH_PLAIN) == [b"OK"]
        assert wire.command(b"STARTTLS\r\n") == [b'NO "STARTTLS is only allowed before login."']
        assert wire.command(b"LISTSCRIPTS\r\n") == [b"OK"], "still plaintext and logged in"
        wire.close()


def test_plaintext_authenticate_before_tls_needs_encryption(tls_server):
    wire = Wire(tls_server.port)
    assert capability(wire.response(), "SASL") == ""
    reply = wire.command(AUTH_PLAIN)
    assert reply == [b'NO (ENCRYPT-NEEDED) "Use STARTTLS first: plaintext authentication is disabled on '
                     b'unencrypted connections."']
    assert wire.command(b'AUTHENTICATE "LOGIN"\r\n')[0].startswith(b"NO (ENCRYPT-NEEDED)")
    caps = wire.starttls(client_tls_context())
    assert capability(caps, "SASL") == "PLAIN LOGIN"
    assert wire.command(AUTH_PLAIN) == [b"OK"]
    wire.close()


def test_ssl_required_serves_only_capability_starttls_noop_logout_before_tls(env_root):
    env = ServerEnv(env_root, tls=True, extra_config="ssl = required")
    with serving(env) as server:
        wire = Wire(server.port)
        greeting = wire.response()
        assert capability(greeting, "SASL") == "" and capability(greeting, "STARTTLS") == ""
        assert capability(wire.command(b"CAPABILITY\r\n"), "STARTTLS") == ""
        assert wire.command(b"NOOP\r\n") == [b"OK"]
        for command in [AUTH_PLAIN, b"LISTSCRIPTS\r\n", b'HAVESPACE "a" 1\r\n', b'GETSCRIPT "a"\r\n',
                        b"UNAUTHENTICATE\r\n"]:
            reply = wire.command(command)
            assert reply[0].startswith(b"NO (ENCRYPT-NEEDED)"), (command, reply)
        caps = wire.starttls(client_tls_context())
        assert capability(caps, "SASL") == "PLAIN LOGIN"
        assert wire.command(AUTH_PLAIN) == [b"OK"]
        assert wire.command(b"LISTSCRIPTS\r\n") == [b"OK"]
        assert wire.command(b"LOGOUT\r\n") == [b"OK"]
        wire.close()


def test_commands_pipelined_behind_starttls_are_discarded(tls_server):
    """CVE-2011-1926 class: plaintext injected after STARTTLS must never run inside the TLS session."""
    wire = Wire(tls_server.port)
    wire.response()
    injected = AUTH_PLAIN + b'PUTSCRIPT "evil" {4+}\r\nstop\r\n'
    wire.send(b"STARTTLS\r\n" + injected)
    assert wire.response() == [b'OK "Begin TLS negotiation now."']
    wire.sock = client_tls_context().wrap_socket(wire.sock, server_hostname="localhost")
    caps = wire.response()
    assert caps[-1] == b"OK" and capability(caps, "SASL") == "PLAIN LOGIN"
    # Had the AUTHENTICATE run, its answer would come next; the NOOP's must.
    assert wire.command(b'NOOP "next"\r\n') == [b'OK (TAG "next")']
    assert wire.command(b"LISTSCRIPTS\r\n")[0].startswith(b"NO"), "not logged in"
    wire.close()
    wait_for_log(tls_server.env, rf"discarded {len(injected)} bytes pipelined after STARTTLS")
    assert not tls_server.env.storage("alice").exists()


def run_server(env: ServerEnv, data: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([str(SERVER), "-c", str(env.config)], input=data, capture_output=True, timeout=30)


def test_client_dropping_during_the_starttls_handshake(tls_env):
    # A ClientHello record header and a few octets, then EOF (over pipes, as inetd's nowait service would).
    result = run_server(tls_env, b"STARTTLS\r\n\x16\x03\x01\x02\x00\x01\x00\x01")
    assert result.returncode == 0 and result.stderr == b""
    assert result.stdout.endswith(b'OK "Begin TLS negotiation now."\r\n')
    wait_for_log(tls_env, r"session ended: .*reason=TLS handshake failed: the client closed the connection")


def test_client_dropping_during_an_implicit_tls_handshake(implicit_server):
    tls_server = implicit_server
    sock = socket.create_connection(("127.0.0.1", tls_server.port))
    sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01")
    sock.shutdown(socket.SHUT_WR)
    assert sock.recv(100) == b"", "no greeting in plaintext"
    sock.close()
    wait_for_log(tls_server.env, r"implicit TLS handshake failed: the client closed the connection")


def test_garbage_instead_of_a_handshake_ends_the_session(tls_server):
    wire = Wire(tls_server.port)
    wire.response()
    assert wire.command(b"STARTTLS\r\n") == [b'OK "Begin TLS negotiation now."']
    wire.send(b"\x16\x03\x01\x00\x05hello-this-is-not-tls\r\n")
    data = wire.sock.recv(1000)
    wire.close()
    assert not data.startswith(b"OK") and not data.startswith(b'"')
    wait_for_log(tls_server.env, r"reason=TLS handshake failed: ")


BYE_CONFIG = b'BYE "Service unavailable: server configuration error."\r\n'


def expired_certificate(directory) -> str:
    """The test server's key in a certificate that expired yesterday, signed by the test CA (built with
    `cryptography`: OpenSSL 3.0's CLI cannot set a past notAfter without a CA database)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    pki = test_pki()
    ca = x509.load_pem_x509_certificate(pki.ca.read_bytes())
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), None)
    key = serialization.load_pem_private_key(pki.server_key.read_bytes(), None)
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=3)).not_valid_after(now - datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    path = directory / "expired.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(path)


@pytest.mark.parametrize("problem", ["missing key", "missing certificate"])
def test_unreadable_key_or_certificate_is_refused_at_start_up(tls_env, problem):
    """What can be judged without OpenSSL is judged before the greeting: STARTTLS is never offered for it."""
    setting = {"missing key": f"ssl_key = {tls_env.root}/no-such.key",
               "missing certificate": f"ssl_cert = {tls_env.root}/no-such.pem"}[problem]
    tls_env.write_config(setting)
    result = run_server(tls_env, b"CAPABILITY\r\n")
    assert result.returncode == 78
    assert result.stdout == BYE_CONFIG and result.stderr == b""
    expected = {"missing key": r"cannot start TLS: cannot load TLS private key .*no-such\.key: No such file",
                "missing certificate": r"cannot start TLS: cannot load TLS certificate .*no-such\.pem"}[problem]
    wait_for_log(tls_env, expected)
    config = subprocess.run([str(CTL), "config", "-c", str(tls_env.config)], capture_output=True, text=True)
    key = "ssl_key" if problem == "missing key" else "ssl_cert"
    # An error when checked as root (the server reads the files as root), a warning otherwise.
    assert re.search(rf"(?:error|warning): {key}: cannot read .*no-such", config.stderr), config.stderr


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit"])
@pytest.mark.parametrize("problem", ["mismatched key", "expired certificate"])
def test_a_key_only_openssl_can_judge_is_reported_when_tls_starts(tls_env, problem, implicit):
    """The context is built when TLS is first needed: the error goes to the log and ends that connection, and
    managesievectl config (which builds the context the same way) fails on it beforehand."""
    pki = test_pki()
    setting = {"mismatched key": f"ssl_key = {pki.other_key}",
               "expired certificate": f"ssl_cert = {expired_certificate(tls_env.root)}"}[problem]
    tls_env.write_config(setting)
    with serving(tls_env, implicit_tls=implicit) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        if implicit:
            with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
                client_tls_context().wrap_socket(sock, server_hostname="localhost").recv(100)
        else:
            wire = Wire.__new__(Wire)
            wire.sock, wire.buffer = sock, b""
            assert capability(wire.response(), "STARTTLS") == ""
            assert wire.command(b"STARTTLS\r\n") == [b'OK "Begin TLS negotiation now."']
            with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
                client_tls_context().wrap_socket(sock, server_hostname="localhost")
        sock.close()
    expected = {"mismatched key": r"cannot start TLS: the TLS private key does not match the certificate",
                "expired certificate": r"cannot start TLS: the TLS certificate expired on \w+ +\d+ [\d:]+ \d{4} GMT",
                }[problem]
    wait_for_log(tls_env, expected)
    config = subprocess.run([str(CTL), "config", "-c", str(tls_env.config)], capture_output=True, text=True)
    assert config.returncode != 0
    assert "TLS: " in config.stderr, config.stderr


def test_sasl_capability_lists_external_only_with_a_verified_client_certificate(env_root):
    pki = test_pki()
    env = ServerEnv(env_root, tls=True, extra_config=f"ssl_ca = {pki.ca}\nssl_verify_client_cert = yes")
    with serving(env) as server:
        without = Wire(server.port)
        without.response()
        assert capability(without.starttls(client_tls_context()), "SASL") == "PLAIN LOGIN"
        without.close()
        with_cert = Wire(server.port)
        with_cert.response()
        caps = with_cert.starttls(client_tls_context(pki.client("alice")))
        assert capability(caps, "SASL") == "PLAIN LOGIN EXTERNAL"
        assert with_cert.command(b'AUTHENTICATE "EXTERNAL" ""\r\n') == [b"OK"]
        with_cert.close()
        wait_for_log(env, r"login: user=alice method=EXTERNAL tls")


def test_sieve_connect_external_with_a_client_certificate(env_root, tmp_path):
    client = need("sieve-connect")
    pki = test_pki()
    env = ServerEnv(env_root, tls=True, extra_config=f"ssl_ca = {pki.ca}\nssl_verify_client_cert = yes")
    (env.storage("alice")).mkdir(parents=True)
    (env.storage("alice") / "mine.sieve").write_bytes(b"keep;\r\n")
    cert, key = pki.client("alice")
    with serving(env) as server:
        result = subprocess.run(
            [client, "--server", "localhost", "--port", str(server.port), "--user", "alice",
             "--tlscafile", str(pki.ca), "--clientcert", str(cert), "--clientkey", str(key),
             "--authmech", "EXTERNAL", "--list"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert '"mine"' in result.stdout.split("\n")
        wait_for_log(env, r"login: user=alice method=EXTERNAL tls")
