"""OAUTHBEARER (RFC 7628) and XOAUTH2 with tokens minted here (PyJWT + cryptography) against a JWK set file:
every signature algorithm logs in, every bad token is refused with the RFC 7628 error challenge, then NO
after the client's acknowledgement, with the reason in the log; real clients (sievelib, PHP Net_Sieve) log
in and upload; transcripts never show a token; `managesievectl oauth2 check-token` explains each verdict."""

import base64
import json
import os
import re
import subprocess
import time
import warnings
from pathlib import Path

import pytest

from conftest import CTL, IS_ROOT, SERVER, TEST_GID, TEST_UID, ServerEnv, Socat, Wire, capability

jwt = pytest.importorskip("jwt")  # PyJWT: installed by the project's test dependency list
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa  # noqa: E402

ISSUER = "https://sso.example.com/realms/mail"
AUDIENCE = "managesieve"
USER = "alice@example.com"
OAUTH_ONLY = "carol@example.com"
SCRIPT = 'require "fileinto";\r\nfileinto "Junk";\r\n'
CLIENTS = Path(__file__).parent / "clients"

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


class Keys:
    """One private key per key type/curve, with its public JWK under a kid."""

    def __init__(self):
        self.private = {
            "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "p256": ec.generate_private_key(ec.SECP256R1()),
            "p384": ec.generate_private_key(ec.SECP384R1()),
            "p521": ec.generate_private_key(ec.SECP521R1()),
            "ed": ed25519.Ed25519PrivateKey.generate(),
        }
        self.other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @staticmethod
    def kid_for(alg: str) -> str:
        return {"RS": "rsa", "PS": "rsa", "Ed": "ed"}.get(alg[:2]) or {"ES256": "p256", "ES384": "p384",
                                                                        "ES512": "p521"}[alg]

    def jwks(self) -> dict:
        keys = []
        for kid, key in self.private.items():
            public = key.public_key()
            if kid == "rsa":
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
            elif kid == "ed":
                jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(public))
            else:
                jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public))
            jwk["kid"] = kid
            jwk["use"] = "sig"
            keys.append(jwk)
        return {"keys": keys}


@pytest.fixture(scope="module")
def keys():
    return Keys()


# What a Keycloak access token carries besides the basics: it makes the token about 2 KB, so that clients
# send SASL data longer than RFC 5804's 1024-octet quoted strings.
KEYCLOAK_EXTRAS = {
    "realm_access": {"roles": [f"role-{i}" for i in range(40)]},
    "resource_access": {"account": {"roles": ["manage-account", "manage-account-links", "view-profile"]}},
    "session_state": "5d1c9b0e-3f57-4a8f-9a54-1c1a0a5d2e7b", "sid": "5d1c9b0e-3f57-4a8f-9a54-1c1a0a5d2e7b",
    "name": "Alice Example", "preferred_username": "alice", "given_name": "Alice", "family_name": "Example",
    "email_verified": True, "typ": "Bearer", "azp": "roundcube", "acr": "1",
    "allowed-origins": ["https://webmail.example.com"],
}


def claims(**changes):
    now = int(time.time())
    base = {"iss": ISSUER, "aud": [AUDIENCE, "account"], "exp": now + 300, "iat": now - 5, "nbf": now - 5,
            "email": USER, "scope": "openid email sieve", "sub": "0b7c"}
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def mint(keys: Keys, alg: str = "ES256", kid: str | None = "", key=None, headers=None, **changes) -> str:
    kid = Keys.kid_for(alg) if kid == "" else kid
    signing_key = key or keys.private[Keys.kid_for(alg)]
    header = dict(headers or {})
    if kid is not None:
        header["kid"] = kid
    return jwt.encode(claims(**changes), signing_key, algorithm=alg, headers=header)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_env(env_root: Path, keys: Keys, extra: str = "") -> ServerEnv:
    env = ServerEnv(env_root, "disable_plaintext_auth = no\n", users={USER: "secret", "bob": "hunter2"})
    env.jwks = env_root / "jwks.json"
    env.jwks.write_text(json.dumps(keys.jwks()))
    home = env.homes / OAUTH_ONLY
    home.mkdir()
    if IS_ROOT:
        os.chown(home, TEST_UID, TEST_GID)
    with env.passwd.open("a") as f:
        f.write(f"{OAUTH_ONLY}:*:{TEST_UID}:{TEST_GID}::{home}::\n")
    env.write_config(
        "disable_plaintext_auth = no\n"
        f"oauth2_jwks_file = {env.jwks}\noauth2_issuers = https://other.example.net {ISSUER}\n"
        f"oauth2_audience = {AUDIENCE}\n" + extra)
    return env


@pytest.fixture
def env(env_root, keys):
    return make_env(env_root, keys)


def oauthbearer(token: str, user: str | None = USER) -> str:
    authzid = f"a={user}" if user else ""
    return base64.b64encode(f"n,{authzid},\x01host=localhost\x01port=4190\x01auth=Bearer {token}\x01\x01".encode()).decode()


def xoauth2(token: str, user: str = USER, comma: bool = False) -> str:
    return base64.b64encode(f"user={user}{',' if comma else ''}\x01auth=Bearer {token}\x01\x01".encode()).decode()


def session(env: ServerEnv, *lines: str) -> list[str]:
    data = "".join(line + "\r\n" for line in lines).encode()
    out = env.run_pipes(data).decode("utf-8", "replace")
    return out.split("\r\n")


def after_greeting(lines: list[str]) -> list[str]:
    return lines[lines.index("OK") + 1:]


def error_challenge(line: str) -> dict:
    assert line.startswith('"') and line.endswith('"'), line
    return json.loads(base64.b64decode(line.strip('"')))


# --- logins -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_every_algorithm_logs_in_and_uploads(env, keys, alg):
    token = mint(keys, alg)
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token)}"',
                                   f'PUTSCRIPT "s" {{{len(SCRIPT)}+}}\r\n{SCRIPT}', "LOGOUT"))
    assert lines[0] == "OK", (lines, env.log_text())
    assert lines[1] == "OK", lines
    assert (env.storage(USER) / "s.sieve").read_bytes() == SCRIPT.encode()
    assert re.search(rf"login: user={re.escape(USER)} method=OAUTHBEARER", env.log_text())


def test_mechanisms_offered_only_when_configured(env_root, keys):
    env = make_env(env_root, keys)
    sasl = capability([l.encode() for l in session(env, "LOGOUT")], "SASL")
    assert sasl.split() == ["PLAIN", "LOGIN", "OAUTHBEARER", "XOAUTH2"]
    env.write_config("disable_plaintext_auth = no")
    sasl = capability([l.encode() for l in session(env, "LOGOUT")], "SASL")
    assert "OAUTHBEARER" not in sasl and "XOAUTH2" not in sasl
    lines = after_greeting(session(env, f'AUTHENTICATE "XOAUTH2" "{xoauth2(mint(keys))}"'))
    assert lines[0].startswith("NO"), lines


def test_withheld_before_tls_like_plain(env_root, keys):
    env = make_env(env_root, keys)
    env.tls = True
    env.write_config(f"oauth2_jwks_file = {env.jwks}\noauth2_issuers = {ISSUER}\noauth2_audience = {AUDIENCE}")
    lines = session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(mint(keys))}"')
    sasl = capability([l.encode() for l in lines], "SASL")
    assert "OAUTHBEARER" not in sasl.split() and "XOAUTH2" not in sasl.split()
    assert after_greeting(lines)[0].startswith("NO (ENCRYPT-NEEDED)"), lines


@pytest.mark.parametrize("comma", [False, True], ids=["google", "sievelib-comma"])
def test_xoauth2_logs_in(env, keys, comma):
    lines = after_greeting(session(env, f'AUTHENTICATE "XOAUTH2" "{xoauth2(mint(keys, "RS256"), comma=comma)}"'))
    assert lines[0] == "OK", lines
    assert re.search(rf"login: user={re.escape(USER)} method=XOAUTH2", env.log_text())


def test_oauth_only_user_with_star_password(env, keys):
    token = mint(keys, email=OAUTH_ONLY)
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token, None)}"'))
    assert lines[0] == "OK", lines
    # "*" is no password.
    plain = base64.b64encode(f"\0{OAUTH_ONLY}\0*".encode()).decode()
    lines = after_greeting(session(env, f'AUTHENTICATE "PLAIN" "{plain}"'))
    assert lines[0].startswith("NO"), lines


def test_initial_response_in_a_continuation(env, keys):
    """A client that sends no initial response gets an empty challenge and sends its message then."""
    lines = after_greeting(session(env, 'AUTHENTICATE "OAUTHBEARER"', f'"{oauthbearer(mint(keys))}"'))
    assert lines[0] == '""' and lines[1] == "OK", lines


# --- refusals ---------------------------------------------------------------------------------------------


def refusals(keys: Keys) -> dict[str, tuple[str, str]]:
    """name -> (token, the reason the log must give)."""
    good = mint(keys, "RS256")
    header, payload, signature = good.split(".")
    none_token = b64url(b'{"alg":"none","typ":"JWT"}') + "." + payload + "."
    public_pem = keys.private["rsa"].public_key().public_bytes(
        encoding=__import__("cryptography.hazmat.primitives.serialization", fromlist=["x"]).Encoding.PEM,
        format=__import__("cryptography.hazmat.primitives.serialization", fromlist=["x"]).PublicFormat.SubjectPublicKeyInfo)
    hs_header = b64url(json.dumps({"alg": "HS256", "kid": "rsa"}).encode())
    import hashlib
    import hmac
    hs_input = f"{hs_header}.{payload}"
    hs_token = hs_input + "." + b64url(hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest())
    duplicated = b64url(json.dumps(claims()).encode()[:-1] + b', "exp": 1}')
    return {
        "wrong-signature": (mint(keys, "RS256", key=keys.other_rsa), r"bad signature: kid \"rsa\": the signature does not verify"),
        "tampered-payload": (f"{header}.{b64url(json.dumps(claims(email='bob')).encode())}.{signature}",
                             r"bad signature"),
        "wrong-kid": (mint(keys, "ES256", kid="nosuchkey"), r"no usable key with kid \"nosuchkey\" for ES256"),
        "kid-of-other-type": (mint(keys, "ES256", kid="rsa"), r"kid \"rsa\": it is a RSA key and ES256 needs EC"),
        "expired": (mint(keys, exp=int(time.time()) - 120), r"the token expired \d+ s ago"),
        "not-yet-valid": (mint(keys, nbf=int(time.time()) + 600), r"not valid for another \d+ s"),
        "issued-in-future": (mint(keys, iat=int(time.time()) + 600), r"issued \d+ s in the future"),
        "wrong-issuer": (mint(keys, iss="https://evil.example.org"), r"issuer \"https://evil.example.org\" is not one of oauth2_issuers"),
        "wrong-audience": (mint(keys, aud="someone-else"), r"audience \"someone-else\" does not contain \"managesieve\""),
        "missing-email": (mint(keys, email=None), r"the token has no \"email\" claim"),
        "missing-exp": (mint(keys, exp=None), r"the token has no \"exp\" claim"),
        "email-not-a-string": (mint(keys, email=42), r"claim \"email\" is not a string"),
        "user-not-in-passwd": (mint(keys, email="mallory@example.com"), r"reason=unknown-user user=mallory@example.com"),
        "alg-none": (none_token, r"algorithm \"none\" is not accepted"),
        "hmac-with-public-key": (hs_token, r"algorithm \"HS256\" is not accepted"),
        "two-parts": (f"{header}.{payload}", r"3 dot-separated parts, this token has 2"),
        "bad-json-header": (b64url(b'{"alg":"RS256",') + f".{payload}.{signature}", r"the header is not valid JSON"),
        "duplicate-claim": (f"{header}.{duplicated}.{signature}",
                            r"member name \"exp\" appears twice"),
        "header-not-object": (b64url(b'["RS256"]') + f".{payload}.{signature}", r"the header is not a JSON object"),
        "padded-base64": (f"{header}.{payload}=.{signature}", r"the payload is not valid base64url"),
    }


def refusal_cases():
    return [
        "wrong-signature", "tampered-payload", "wrong-kid", "kid-of-other-type", "expired", "not-yet-valid",
        "issued-in-future", "wrong-issuer", "wrong-audience", "missing-email", "missing-exp", "email-not-a-string",
        "user-not-in-passwd", "alg-none", "hmac-with-public-key", "two-parts", "bad-json-header", "duplicate-claim",
        "header-not-object", "padded-base64"]


@pytest.fixture(scope="module")
def refusal_table(keys):
    return refusals(keys)


@pytest.mark.parametrize("case", refusal_cases())
def test_bad_token_gets_error_challenge_then_no(env, refusal_table, case):
    token, reason = refusal_table[case]
    # The client names no user (the token's claim decides), so that each case fails for its own reason.
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token, None)}"', '"AQ=="',
                                   f'AUTHENTICATE "XOAUTH2" "{xoauth2(token, "")}"', '""', "LOGOUT"))
    assert error_challenge(lines[0]) == {"status": "invalid_token", "schemes": "bearer"}
    assert lines[1].startswith('NO "Authentication failed'), lines
    assert error_challenge(lines[2]) == {"status": "401", "schemes": "bearer"}
    assert lines[3].startswith("NO"), lines
    log = env.log_text()
    failures = re.findall(r"login failed: reason=([a-z-]+) user=\S+ method=([A-Z0-9]+)", log)
    expected = "unknown-user" if case == "user-not-in-passwd" else "invalid-token"
    assert failures == [(expected, "OAUTHBEARER"), (expected, "XOAUTH2")], log
    assert re.search(reason, log), f"log lacks /{reason}/:\n{log}"
    assert "login:" not in log


def test_missing_scope_names_the_scope(env_root, keys):
    env = make_env(env_root, keys, "oauth2_scope = sieve mail")
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(mint(keys))}"', '"AQ=="'))
    assert error_challenge(lines[0]) == {"status": "insufficient_scope", "schemes": "bearer", "scope": "sieve mail"}
    assert lines[1].startswith("NO"), lines
    assert "scope mail missing (granted: openid email sieve)" in env.log_text()
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(mint(keys, scope="mail sieve"))}"'))
    assert lines[0] == "OK", lines


def test_active_attribute(env_root, keys):
    env = make_env(env_root, keys, "oauth2_active_attribute = active")
    assert after_greeting(session(env, f'AUTHENTICATE "XOAUTH2" "{xoauth2(mint(keys, active=True))}"'))[0] == "OK"
    lines = after_greeting(session(env, f'AUTHENTICATE "XOAUTH2" "{xoauth2(mint(keys, active=False))}"', '""'))
    assert lines[1].startswith("NO"), lines
    assert 'claim \\"active\\" does not have the required value' in env.log_text() or \
        'claim "active" does not have the required value' in env.log_text()


def test_named_user_must_be_the_tokens(env, keys):
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(mint(keys), user="bob")}"', '"AQ=="'))
    assert lines[1].startswith("NO"), lines
    assert f'the token is for "{USER}" but the client logs in as "bob"' in env.log_text()


def test_cancel_after_error_is_a_failed_attempt(env_root, keys):
    env = make_env(env_root, keys, "auth_max_attempts = 2")
    bad = mint(keys, aud="x")
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(bad)}"', '"*"',
                                   f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(bad)}"', '"AQ=="', "NOOP"))
    assert lines[1].startswith("NO"), lines
    assert lines[3].startswith("NO"), lines
    assert lines[4].startswith("BYE"), lines


def test_failure_delay_applies(env_root, keys):
    env = make_env(env_root, keys, "auth_failure_delay = 400 ms")
    started = time.monotonic()
    session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(mint(keys, iss="x"))}"', '"AQ=="')
    assert time.monotonic() - started >= 0.4


def test_huge_token_refused_without_harm(env_root, keys):
    """A validly signed 100 KB token is stopped by the protocol's limits on SASL data; a 30 KB one, which they
    let through, by the token's own 16 KiB limit, before any base64 or JSON work."""
    token = mint(keys, padding="x" * 100_000)
    assert len(token) > 100_000
    env = make_env(env_root, keys)
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token)}"', '"AQ=="', "LOGOUT"))
    assert lines[0].startswith(("NO", "BYE")), lines[:3]
    assert "login:" not in env.log_text()
    env.write_config(f"disable_plaintext_auth = no\noauth2_jwks_file = {env.jwks}\noauth2_issuers = {ISSUER}\n"
                     f"oauth2_audience = {AUDIENCE}\nmanagesieve_max_line_length = 1M")
    token = mint(keys, padding="x" * 30_000)
    lines = after_greeting(session(env, f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token)}"', '"AQ=="', "LOGOUT"))
    assert error_challenge(lines[0])["status"] == "invalid_token" and lines[1].startswith("NO"), lines[:3]
    assert "the token is longer than 16384 octets" in env.log_text()
    assert "login:" not in env.log_text()


def test_malformed_base64url_and_json_at_every_position(env_root, keys):
    """Each part of a good token corrupted at every position (a byte outside base64url, or the JSON cut
    short or given a stray byte there): all refused, none logs in, the server stays up."""
    env = make_env(env_root, keys, "auth_max_attempts = 100000\nmanagesieve_max_bad_commands = 100000")
    good = mint(keys, "ES256")
    header, payload, signature = good.split(".")
    header_json = base64.urlsafe_b64decode(header + "==")
    tokens = []
    for i in range(len(header)):
        # "+", "~" and "=" are b64token characters (RFC 6750) but not base64url ones.
        tokens.append(header[:i] + "+~="[i % 3] + header[i + 1:] + f".{payload}.{signature}")
    for i in range(0, len(payload), 7):
        tokens.append(f"{header}." + payload[:i] + "+" + payload[i + 1:] + f".{signature}")
    for i in range(0, len(signature), 5):
        tokens.append(f"{header}.{payload}." + signature[:i] + "~" + signature[i + 1:])
    for i in range(len(header_json)):
        tokens.append(b64url(header_json[:i]) + f".{payload}.{signature}")
        tokens.append(b64url(header_json[:i] + b"\x00" + header_json[i + 1:]) + f".{payload}.{signature}")
    # Sessions of 50 attempts: a session ends after 100 commands before login whatever the settings say.
    for start in range(0, len(tokens), 50):
        lines = []
        for token in tokens[start:start + 50]:
            lines += [f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token)}"', '"AQ=="']
        out = after_greeting(session(env, *lines, "LOGOUT"))
        results = [l for l in out if l.startswith(("OK", "NO", "BYE"))]
        assert results[-1] == "OK"  # LOGOUT
        assert all(r.startswith("NO") for r in results[:-1]), [r for r in results if not r.startswith("NO")]
        assert len(results) - 1 == len(tokens[start:start + 50])
    assert "login:" not in env.log_text()


# --- real clients -----------------------------------------------------------------------------------------


@pytest.fixture
def oauth_socat(env):
    server = Socat(env)
    yield server
    server.close()


@pytest.mark.parametrize("mechanism", ["OAUTHBEARER", "XOAUTH2"])
def test_python_sievelib(oauth_socat, keys, mechanism):
    from sievelib.managesieve import Client

    client = Client("127.0.0.1", oauth_socat.port)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = mint(keys, "PS256", **KEYCLOAK_EXTRAS)
        assert len(xoauth2(token)) > 2048
        assert client.connect(USER, token, starttls=False, authmech=mechanism)
    assert client.putscript("fromsievelib", SCRIPT)
    assert client.listscripts() == (None, ["fromsievelib"])
    client.logout()
    assert (oauth_socat.env.storage(USER) / "fromsievelib.sieve").read_bytes() == SCRIPT.encode()
    assert re.search(rf"login: user={re.escape(USER)} method={mechanism}", oauth_socat.env.log_text())


def test_python_sievelib_over_starttls(env_root, keys, monkeypatch):
    """ssl = required: the bearer mechanisms appear only inside TLS, and sievelib logs in there."""
    from conftest import test_pki
    from sievelib.managesieve import Client

    env = make_env(env_root, keys)
    env.tls = True
    env.write_config(f"ssl = required\noauth2_jwks_file = {env.jwks}\noauth2_issuers = {ISSUER}\n"
                     f"oauth2_audience = {AUDIENCE}")
    monkeypatch.setenv("SSL_CERT_FILE", str(test_pki().ca))
    server = Socat(env)
    try:
        client = Client("localhost", server.port)
        assert client.connect(USER, mint(keys, "ES256"), starttls=True, authmech="OAUTHBEARER")
        assert client.putscript("overtls", SCRIPT)
        client.logout()
    finally:
        server.close()
    assert re.search(rf"login: user={re.escape(USER)} method=OAUTHBEARER tls", env.log_text())


def test_php_net_sieve_xoauth2(oauth_socat, keys, tmp_path):
    script = tmp_path / "script.sieve"
    script.write_text(SCRIPT)
    result = subprocess.run(
        ["php", str(CLIENTS / "net_sieve.php"), "127.0.0.1", str(oauth_socat.port), USER,
         "Bearer " + mint(keys, "EdDSA", **KEYCLOAK_EXTRAS), str(script)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "NET_SIEVE_METHOD": "XOAUTH2"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "put: ok" in result.stdout and "logout: ok" in result.stdout
    assert re.search(rf"login: user={re.escape(USER)} method=XOAUTH2", oauth_socat.env.log_text())


# --- transcripts ------------------------------------------------------------------------------------------


def transcript_env(env_root: Path, keys: Keys) -> tuple[ServerEnv, Path]:
    raw = env_root / "raw"
    raw.mkdir(mode=0o700)
    return make_env(env_root, keys, f"rawlog_dir = {raw}"), raw


def assert_no_token_in(raw: Path, *tokens: str):
    texts = "".join(p.read_text(errors="replace") for p in raw.iterdir())
    assert "AUTHENTICATE" in texts
    for token in tokens:
        for piece in [token, token.split(".")[2][:20], oauthbearer(token)[8:40], xoauth2(token)[8:40]]:
            assert piece not in texts, f"transcript shows {piece!r}:\n{texts}"


def test_transcript_never_shows_the_token(env_root, keys):
    """A client that waits for each answer, as real ones do: initial responses, continuations, literals."""
    env, raw = transcript_env(env_root, keys)
    good, bad = mint(keys, "ES384"), mint(keys, "ES384", aud="nope")
    server = Socat(env)
    try:
        wire = Wire(server.port)
        wire.response()

        def ask(data: bytes) -> bytes:
            wire.send(data)
            return wire.line()

        assert ask(b'AUTHENTICATE "OAUTHBEARER"\r\n') == b'""'
        assert ask(f'"{oauthbearer(bad)}"\r\n'.encode()).startswith(b'"ey')
        assert ask(b'"AQ=="\r\n').startswith(b"NO")
        literal = xoauth2(bad)
        assert ask(f'AUTHENTICATE "XOAUTH2" {{{len(literal)}+}}\r\n{literal}\r\n'.encode()).startswith(b'"ey')
        assert ask(b'""\r\n').startswith(b"NO")
        assert ask(f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(good)}"\r\n'.encode()) == b"OK"
        wire.command(b"LOGOUT\r\n")
        wire.close()
    finally:
        server.close()
    assert_no_token_in(raw, good, bad)


def test_transcript_never_shows_a_pipelined_token(env_root, keys):
    """Everything pipelined at once, a continuation, a literal, an error acknowledgement: redaction follows the
    session's own parser and SASL state, whatever the mechanism."""
    env, raw = transcript_env(env_root, keys)
    good, bad = mint(keys, "ES384"), mint(keys, "ES384", aud="nope")
    session(env, 'AUTHENTICATE "OAUTHBEARER"', f'"{oauthbearer(bad)}"', '"AQ=="',
            f'AUTHENTICATE "XOAUTH2" {{{len(xoauth2(bad))}+}}\r\n{xoauth2(bad)}', '""',
            f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(good)}"', "LOGOUT")
    assert_no_token_in(raw, good, bad)


def test_incomplete_settings_refused_by_server_and_config(env_root, keys):
    env = make_env(env_root, keys)
    env.write_config(f"disable_plaintext_auth = no\noauth2_jwks_file = {env.jwks}\noauth2_audience = {AUDIENCE}")
    proc = subprocess.run([str(SERVER), "-c", str(env.config)], input=b"LOGOUT\r\n", capture_output=True,
                          timeout=30)
    assert proc.returncode == 78 and proc.stdout.startswith(b"BYE"), proc
    assert "oauth2_jwks_file is set but oauth2_issuers is empty" in env.log_text()
    result = subprocess.run([str(CTL), "config", "-c", str(env.config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "oauth2_jwks_file is set but oauth2_issuers is empty" in result.stderr
    env.jwks.write_text('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}')
    env.write_config(f"disable_plaintext_auth = no\noauth2_jwks_file = {env.jwks}\noauth2_issuers = {ISSUER}\n"
                     f"oauth2_audience = {AUDIENCE}")
    result = subprocess.run([str(CTL), "config", "-c", str(env.config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "no usable key" in result.stderr, result.stderr


# --- managesievectl oauth2 check-token --------------------------------------------------------------------


def check_token(env: ServerEnv, *args, stdin: str | None = None):
    return subprocess.run([str(CTL), "oauth2", "check-token", "-c", str(env.config), *args], input=stdin,
                          capture_output=True, text=True, timeout=30)


def test_check_token_accepts_and_names_key_and_user(env, keys):
    result = check_token(env, mint(keys, "ES512"))
    assert result.returncode == 0, result.stderr
    assert 'accepted: user alice@example.com (claim "email"), signed with ES512 by kid "p521"' in result.stdout
    assert "passwd-file: alice@example.com" in result.stdout


def test_check_token_from_stdin_and_file(env, keys, tmp_path):
    token = mint(keys, "RS512")
    assert check_token(env, "-", stdin=token + "\n").returncode == 0
    path = tmp_path / "token"
    path.write_text(token + "\n")
    assert check_token(env, "--file", str(path)).returncode == 0


@pytest.mark.parametrize("case", refusal_cases())
def test_check_token_explains_each_refusal(env, refusal_table, case):
    token, reason = refusal_table[case]
    result = check_token(env, stdin=token)
    assert result.returncode == 1, result.stdout + result.stderr
    text = result.stdout + result.stderr
    if case == "user-not-in-passwd":
        reason = r"mallory@example.com is not in the passwd-file"
    assert re.search(reason, text), f"/{reason}/ not in {text!r}"
