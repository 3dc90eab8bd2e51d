"""What a transcript may never hold: anything a client sent inside a SASL exchange. The session's own parser
decides what is a credential (the transcript no longer frames the client's bytes itself), in the SASL mode
the session puts it in, and nothing of the plaintext phase survives STARTTLS. Every mechanism is driven, and
every octet string the client sent in an exchange is looked for in the file, raw and base64."""

import base64
import os
import ssl
from pathlib import Path

import pytest

from conftest import ServerEnv, Wire, client_tls_context, plain_b64, serving, test_pki

USERS = {"alice": "secret-alice-pw", "bob": "hunter2-bob-pw", "carol": "pa55word-carol"}
SCHEMES = {"alice": "SCRAM-SHA-256", "bob": "SCRAM-SHA-1", "carol": "PLAIN"}


def b64(data: str | bytes) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def rawlog_env(env_root: Path, tls: bool = False, extra: str = "") -> ServerEnv:
    os.chmod(env_root, 0o755)
    root = env_root / "srv"
    root.mkdir()
    raw = env_root / "raw"
    raw.mkdir(mode=0o700)
    pki = test_pki()
    config = f"rawlog_dir = {raw}\n" + (f"ssl_ca = {pki.ca}\nssl_verify_client_cert = yes\n" if tls else "ssl = no\n")
    env = ServerEnv(root, config + extra, users=USERS, schemes=SCHEMES, tls=tls)
    env.raw = raw
    return env


def transcript_text(env: ServerEnv) -> str:
    return "".join(path.read_text() for path in sorted(env.raw.iterdir()))


def assert_never_recorded(env: ServerEnv, *secrets: str | bytes):
    text = transcript_text(env)
    assert text, "no transcript was written"
    for secret in secrets:
        raw = secret if isinstance(secret, str) else secret.decode("latin-1")
        assert raw not in text, f"transcript holds {raw!r}"
        assert b64(secret) not in text, f"transcript holds base64 of {raw!r}"
    for password in USERS.values():
        assert password not in text
        assert b64(password) not in text


# --- the two reproductions ------------------------------------------------------------------------


@pytest.mark.parametrize("empty", ['""', "{0+}\r\n"])
@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "bare"])
def test_empty_initial_response_then_credentials_in_one_write_is_redacted(env_root, empty, quoted):
    """`AUTHENTICATE "PLAIN" ""` (or an empty literal) asks for the challenge; the credentials follow on the
    next line in the same write. The old transcript judged the empty string a complete initial response and
    recorded the next line in clear; the session (rightly) read it as the SASL response. A bare (unquoted)
    response is malformed for the session, and a credential all the same."""
    env = rawlog_env(env_root)
    secret = plain_b64("carol", USERS["carol"])
    response = f'"{secret}"' if quoted else secret
    env.run_pipes(f'AUTHENTICATE "PLAIN" {empty}\r\n{response}\r\nLOGOUT\r\n'.encode())
    text = transcript_text(env)
    assert ("*: login user=carol" in text) == quoted
    assert_never_recorded(env, secret)
    assert "C: <redacted" in text


def test_a_literal_appended_to_starttls_cannot_misframe_the_login_inside_tls(env_root):
    """An attacker on the path appends `NOOP {200+}` to the client's STARTTLS line. The session discards it;
    the transcript must not carry its framing state into TLS and record the login there as a literal."""
    env = rawlog_env(env_root, tls=True)
    with serving(env) as server:
        wire = Wire(server.port)
        wire.response()
        wire.send(b"STARTTLS\r\nNOOP {200+}\r\n")
        assert wire.response()[-1].startswith(b"OK")
        wire.sock = client_tls_context().wrap_socket(wire.sock, server_hostname="localhost")
        wire.response()
        secret = plain_b64("carol", USERS["carol"])
        assert wire.command(f'AUTHENTICATE "PLAIN" "{secret}"\r\n'.encode()) == [b"OK"]
        assert wire.command(b"LOGOUT\r\n")[-1].startswith(b"OK")
        wire.close()
    text = transcript_text(env)
    assert "discarded 13 bytes pipelined after STARTTLS (not recorded)" in text
    assert 'C: AUTHENTICATE "PLAIN" <redacted' in text
    assert_never_recorded(env, secret)


# --- every mechanism --------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["quoted", "literal", "continuation", "continuation-literal", "pipelined"])
def test_plain_in_every_form(env_root, form):
    env = rawlog_env(env_root)
    secret = plain_b64("carol", USERS["carol"])
    client = {
        "quoted": f'AUTHENTICATE "PLAIN" "{secret}"\r\n',
        "literal": f'AUTHENTICATE "PLAIN" {{{len(secret)}+}}\r\n{secret}\r\n',
        "continuation": f'AUTHENTICATE "PLAIN"\r\n"{secret}"\r\n',
        "continuation-literal": f'AUTHENTICATE "PLAIN"\r\n{{{len(secret)}+}}\r\n{secret}\r\n',
        "pipelined": f'AUTHENTICATE {{5+}}\r\nPLAIN "{secret}"\r\nLISTSCRIPTS\r\n',
    }[form]
    env.run_pipes((client + "LOGOUT\r\n").encode())
    assert_never_recorded(env, secret)
    text = transcript_text(env)
    assert "*: login user=carol" in text
    assert "C: LOGOUT" in text
    if form == "pipelined":
        assert "C: LISTSCRIPTS" in text and "C+ 5: PLAIN" in text


def test_login_mechanism_user_and_password_redacted_cancel_shown(env_root):
    env = rawlog_env(env_root)
    client = (f'AUTHENTICATE "LOGIN"\r\n"{b64("carol")}"\r\n"*"\r\n'
              f'AUTHENTICATE "LOGIN" "{b64("carol")}"\r\n"{b64(USERS["carol"])}"\r\nLOGOUT\r\n')
    out = env.run_pipes(client.encode())
    assert b'NO "Authentication aborted by client."' in out
    text = transcript_text(env)
    assert "*: login user=carol" in text
    assert 'C: "*"' in text
    assert_never_recorded(env, "carol\0", USERS["carol"])
    assert b64("carol") not in text


@pytest.mark.parametrize("mechanism,user", [("SCRAM-SHA-256", "alice"), ("SCRAM-SHA-1", "bob")])
def test_scram_messages_never_recorded(env_root, mechanism, user):
    scramp = pytest.importorskip("scramp")
    env = rawlog_env(env_root)
    sent = []
    with serving(env) as server:
        wire = Wire(server.port)
        wire.response()
        client = scramp.ScramClient([mechanism], user, USERS[user])
        first = client.get_client_first()
        sent.append(first)
        wire.send(f'AUTHENTICATE "{mechanism}" "{b64(first)}"\r\n'.encode())
        challenge = wire.line()
        server_first = base64.b64decode(challenge.strip(b'"')).decode()
        client.set_server_first(server_first)
        final = client.get_client_final()
        sent.append(final)
        reply = wire.command(f'"{b64(final)}"\r\n'.encode())
        assert reply[-1].startswith(b"OK (SASL"), reply
        wire.command(b"LOGOUT\r\n")
        wire.close()
    assert_never_recorded(env, *sent, server_first)
    text = transcript_text(env)
    assert f'C: AUTHENTICATE "{mechanism}" <redacted' in text
    assert "S: OK (SASL <redacted" in text


@pytest.mark.parametrize("authzid", ["", "alice"])
def test_external_authorization_identity_redacted(env_root, authzid):
    env = rawlog_env(env_root, tls=True)
    context = client_tls_context(test_pki().client("alice"))
    with serving(env) as server:
        wire = Wire(server.port)
        wire.response()
        wire.starttls(context)
        wire.send(b'AUTHENTICATE "EXTERNAL"\r\n')
        assert wire.line() == b'""'
        assert wire.command(f'"{b64(authzid)}"\r\n'.encode()) == [b"OK"]
        wire.command(b"LOGOUT\r\n")
        wire.close()
    text = transcript_text(env)
    assert 'C: AUTHENTICATE "EXTERNAL"' in text
    assert "C: <redacted" in text
    if authzid:
        assert b64(authzid) not in text


def test_a_literal_mechanism_name_stays_visible_and_everything_after_it_is_withheld(env_root):
    env = rawlog_env(env_root)
    secret = plain_b64("carol", USERS["carol"])
    env.run_pipes(f'AUTHENTICATE {{5+}}\r\nPLAIN {{{len(secret)}+}}\r\n{secret}\r\nLOGOUT\r\n'.encode())
    text = transcript_text(env)
    assert "*: login user=carol" in text
    assert "C+ 5: PLAIN" in text
    assert f"C+ {len(secret)}: <redacted {len(secret)} bytes>" in text
    assert_never_recorded(env, secret)


def test_a_session_cut_inside_an_exchange_keeps_the_partial_credential_out(env_root):
    env = rawlog_env(env_root)
    secret = plain_b64("carol", USERS["carol"])
    env.run_pipes(f'AUTHENTICATE "PLAIN"\r\n"{secret}'.encode())
    text = transcript_text(env)
    assert "*: client line incomplete: no line end" in text
    assert_never_recorded(env, secret, secret[:20])
