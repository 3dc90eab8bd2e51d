"""Coming from Dovecot: passwd-files made by the real `doveadm pw` (Debian's dovecot-core, generated at run
time, one user per scheme), each logging in with AUTHENTICATE PLAIN over socat; wrong passwords refused; each
failed login logged with its reason in the documented format (managesieved(8), LOGGING)."""

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
