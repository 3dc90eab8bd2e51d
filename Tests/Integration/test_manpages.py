"""The man pages: mdoc that mandoc lints clean, and a configuration reference that names every key the
server knows (taken from `managesievectl config`, so a new setting without documentation fails here)."""

import re
import shutil
import subprocess

import pytest

from conftest import CTL, ROOT

PAGES = ["managesieved.8", "managesievectl.8", "managesieved.conf.5"]


def mandoc():
    path = shutil.which("mandoc")
    if path is None:
        pytest.fail("mandoc is not installed (tools/install-test-deps installs it)")
    return path


@pytest.mark.parametrize("page", PAGES)
def test_page_lints_clean(page):
    result = subprocess.run(
        [mandoc(), "-Tlint", "-W", "warning", str(ROOT / "man" / page)], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stdout + result.stderr


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_its_name_and_sections(page):
    text = subprocess.run(
        [mandoc(), "-Tutf8", str(ROOT / "man" / page)], capture_output=True, text=True, check=True
    ).stdout
    plain = re.sub(".\b", "", text)
    name = page.rsplit(".", 1)[0]
    assert plain.splitlines()[0].startswith(name.upper() + "(")
    for section in ["NAME", "DESCRIPTION", "SEE ALSO"]:
        assert re.search(rf"^{section}$", plain, re.M), f"{page} lacks {section}"


def default_config_entries(tmp_path):
    config = tmp_path / "empty.conf"
    config.write_text("")
    out = subprocess.run([str(CTL), "config", "-c", str(config)], capture_output=True, text=True, check=True).stdout
    entries = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        entries[key.strip()] = value.strip()
    assert len(entries) > 30
    return entries


def reference_entries():
    """`.It Cm key No = default` items of managesieved.conf(5)."""
    source = (ROOT / "man" / "managesieved.conf.5").read_text()
    return dict(re.findall(r"^\.It Cm ([a-z_0-9]+) No = (.*)$", source, re.M))


def test_conf_page_documents_every_key(tmp_path):
    documented = reference_entries()
    missing = [key for key in default_config_entries(tmp_path) if key not in documented]
    assert missing == [], f"managesieved.conf.5 does not document {missing}"


def test_conf_page_documents_no_unknown_key(tmp_path):
    known = default_config_entries(tmp_path)
    assert [key for key in reference_entries() if key not in known] == []


def test_conf_page_shows_the_real_defaults(tmp_path):
    documented = reference_entries()
    for key, value in default_config_entries(tmp_path).items():
        shown = documented[key]
        if shown.startswith("Pq "):  # an unset default, described in words
            # config prints the value derived from other settings for these two.
            if key in ("sieve_extensions", "disable_plaintext_auth"):
                assert value != "", f"{key}: config should print the derived value"
                continue
            assert value == "", f"{key}: the page says unset, the default is {value!r}"
        else:
            shown = re.sub(r"^Pa ", "", shown)
            assert shown == value, f"{key}: the page says {shown!r}, the default is {value!r}"


def test_example_config_parses_and_mentions_every_key(tmp_path):
    example = ROOT / "contrib" / "managesieved.conf"
    result = subprocess.run([str(CTL), "config", "-n", "-c", str(example)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", "the example's active lines should all be defaults"
    text = example.read_text()
    for key in default_config_entries(tmp_path):
        assert re.search(rf"^#{key} =", text, re.M), f"contrib/managesieved.conf does not mention {key}"


def test_readme_session_by_hand_is_what_the_server_answers(env_root):
    """README's "Trying it by hand" shows real answers: replay its C: lines and compare the S: lines."""
    from conftest import ServerEnv

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Trying it by hand", 1)[1].split("\n## ", 1)[0]
    lines = [l[4:] for l in section.splitlines() if re.match(r"^    [CS]:( |$)", l)]
    assert lines and lines[0].startswith("S: ") and lines[-1] == "S: OK"
    client = b"".join(l[3:].encode() + b"\r\n" for l in lines if l.startswith("C:"))
    expected = b"".join(l[3:].encode() + b"\r\n" for l in lines if l.startswith("S:"))
    env = ServerEnv(env_root, users={"demo": "demo"})
    answers = env.run_pipes(client)
    assert answers.decode().splitlines() == expected.decode().splitlines(), env.log_text()
    assert (env.storage("demo") / "hello.sieve").read_bytes() == b'require "fileinto";\r\nfileinto "Junk";\r\n'


def ctl_help(*args) -> str:
    return subprocess.run([str(CTL), *args, "--help"], capture_output=True, text=True, check=True).stdout


def test_ctl_page_documents_every_subcommand_and_option():
    source = (ROOT / "man" / "managesievectl.8").read_text()
    listing = ctl_help().split("SUBCOMMANDS:", 1)[1]
    subcommands = re.findall(r"^  ([a-z][a-z-]*)\s", listing, re.M)
    assert {"config", "check", "hash-password"} <= set(subcommands)
    for subcommand in subcommands:
        assert re.search(rf"^\.It Cm {subcommand}\b", source, re.M), f"managesievectl.8 lacks {subcommand}"
        options = ctl_help(subcommand).split("OPTIONS:", 1)[1]
        for long in re.findall(r"--([a-z][a-z-]*)", options):
            if long != "help":
                assert f"Fl -{long}" in source, f"managesievectl.8 lacks {subcommand} --{long}"


def test_readme_tls_session_by_hand_is_what_the_server_answers(env_root):
    """The STARTTLS part of "Trying it by hand": the same openssl s_client command, the same answers
    (its certificate diagnostics, on stderr, aside)."""
    from conftest import ServerEnv, Socat

    section = (ROOT / "README.md").read_text().split("## Trying it by hand", 1)[1].split("\n## ", 1)[0]
    block = section.split("    $ openssl s_client", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    block = [line[4:] for line in block]
    typed = [line for line in block if re.match(r"^(AUTHENTICATE|LISTSCRIPTS|LOGOUT)\b", line)]
    diagnostics = [l for l in block if re.match(r'^(depth=|verify |OK "Begin TLS)', l)]
    expected = [l for l in block if l not in typed and l not in diagnostics]
    assert typed and expected

    pki = env_root / "pki"
    pki.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", str(pki / "key.pem"), "-out", str(pki / "cert.pem")], check=True, capture_output=True)
    env = ServerEnv(env_root, users={"demo": "demo"},
                    extra_config=f"ssl = yes\nssl_cert = {pki / 'cert.pem'}\nssl_key = {pki / 'key.pem'}")
    server = Socat(env)
    try:
        result = subprocess.run(
            ["openssl", "s_client", "-starttls", "sieve", "-connect", f"127.0.0.1:{server.port}", "-crlf", "-quiet"],
            input="".join(line + "\n" for line in typed), capture_output=True, text=True, timeout=30)
    finally:
        server.close()
    assert result.stdout.splitlines() == expected, result.stderr
    assert 'OK "Begin TLS negotiation now."' in result.stderr
    assert "login: user=demo method=PLAIN tls" in env.log_text()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_stray_quoting(page):
    """A quote macro given prose after its argument quotes the prose too (`.Pq Ql - No for …` rendered
    "(‘- for standard input’)"); an unbalanced parenthesis is the other symptom of a macro misread."""
    text = subprocess.run(
        [mandoc(), "-Tutf8", str(ROOT / "man" / page)], capture_output=True, text=True, check=True
    ).stdout
    plain = re.sub(".\b", "", text)
    for paragraph in re.split(r"\n\s*\n", plain):
        flat = " ".join(paragraph.split())
        assert flat.count("(") == flat.count(")"), flat
        assert not re.search(r"‘[^’\s]{1,2} (for|may|is|or) [^’]*’", flat), flat
