"""`managesievectl check`: the admin's command-line checker, run as a user would (exact output, exit codes)."""

import subprocess

import pytest

from conftest import CTL


def check(*args, input=None, cwd=None):
    return subprocess.run([str(CTL), "check", *args], input=input, capture_output=True, timeout=30, cwd=cwd)


def test_valid_and_invalid_files(tmp_path):
    good = tmp_path / "good.sieve"
    good.write_text('require "fileinto";\nif header :contains "subject" "x" { fileinto "X"; }\n')
    bad = tmp_path / "bad.sieve"
    bad.write_text('require "fileinto";\nfileint "INBOX";\n')
    ok = check(str(good))
    assert ok.returncode == 0 and ok.stdout == b""
    result = check(str(good), str(bad))
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines == [f"{bad}:2:1: error: unknown command 'fileint' (did you mean 'fileinto'?)"]


def test_standard_input_and_warnings():
    result = check("-", input=b'require "vacation";\nvacation :days 0 "away";\n')
    assert result.returncode == 0
    assert result.stdout.decode().startswith("<stdin>:2:")
    assert ": warning: " in result.stdout.decode()


def test_extensions_option_and_upload_mode(tmp_path):
    script = tmp_path / "edit.sieve"
    script.write_text('require "editheader";\naddheader "X-Test" "1";\n')
    assert check(str(script)).returncode == 1  # editheader is not in Pigeonhole's default set
    assert check("--extensions", "+editheader", str(script)).returncode == 0
    including = tmp_path / "main.sieve"
    including.write_text('require "include";\ninclude "missing";\n')
    assert check(str(including)).returncode == 1  # like sievec: a missing include is an error
    upload = check("--upload", str(including))
    assert upload.returncode == 0 and b"warning" in upload.stdout  # like PUTSCRIPT: only a warning


def test_usage_errors_exit_64(tmp_path):
    assert check().returncode == 64
    assert check("--extensions", "+nosuchext", "-", input=b"keep;\n").returncode == 64


@pytest.mark.parametrize("command", ["config", "check", "hash-password", "transcript", "list", "get", "put"])
def test_every_command_exits_64_on_an_unknown_option(command):
    result = subprocess.run([str(CTL), command, "--no-such-option"], input=b"", capture_output=True, timeout=60)
    assert result.returncode == 64, result.stderr
