"""`managesievectl test --json` against Pigeonhole's sieve-test on the recorded dry-run corpus.

The corpus (Tests/Integration/sieve-test-corpus/) is every script x every message; expected.json is
sieve-test's result for each, recorded by tools/sieve-test-record (never edited by hand). Each case runs
`managesievectl test --json` with the settings the recording used and compares the normalised result
(actions in order, implicit keep and its flags, error). Cases that differ on purpose are listed in
DIFFERENCES with the reason (and in docs/sieve-test-differences.md); any other difference fails, and the
agreement rate must stay at or above 99 %.
"""
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import tempfile

import pytest

from conftest import CTL, ROOT

CORPUS = ROOT / "Tests" / "Integration" / "sieve-test-corpus"

_loader = importlib.machinery.SourceFileLoader("sieve_test_record", str(ROOT / "tools" / "sieve-test-record"))
_spec = importlib.util.spec_from_loader("sieve_test_record", _loader)
record = importlib.util.module_from_spec(_spec)
_loader.exec_module(record)

# Cases where our result differs from sieve-test's on purpose: case -> reason (docs/sieve-test-differences.md).
INDEX_IN_DATE = ("Pigeonhole 0.5.19 ignores :index in the date test (it always takes the first field); "
                 "we apply RFC 5260 §6 as for header and address")
DIFFERENCES = {
    "date-received/plain": INDEX_IN_DATE,
    "date-received/received": INDEX_IN_DATE,
}


def normalise(result):
    actions = []
    for a in result["actions"]:
        t = a["type"]
        if t == "keep":
            actions.append("store INBOX flags=%s" % record.normalise_flags(a["flags"]))
        elif t == "fileinto":
            actions.append("store %s flags=%s%s" % (
                record.sanitize(a["mailbox"]), record.normalise_flags(a["flags"]), " (copy)" if a["copy"] else ""))
        elif t == "redirect":
            actions.append("redirect <%s>%s" % (a["address"], " (copy)" if a["copy"] else ""))
        elif t == "discard":
            actions.append("discard")
        elif t in ("reject", "ereject"):
            actions.append("reject " + record.sanitize(a["reason"]))
        elif t == "vacation":
            actions.append("vacation seconds=%s subject=%s from=%s" % (a["seconds"], a["subject"], a["from"]))
        elif t == "notify":
            actions.append("notify importance=%s subject=%s from=%s recipients=%s headers=%s" % (
                a["importance"], a["subject"], a["from"], a["recipients"] or None, a["headers"] or None))
        elif t == "notify_deprecated":
            # The recorder reads sieve-test's "=> message : …" lines trimmed.
            message = a["message"].strip() if a["message"] is not None else None
            actions.append("notify_deprecated importance=%s message=%s id=%s recipients=%s" % (
                a["importance"], message, a["id"], a["recipients"] or None))
        else:
            actions.append(json.dumps(a))
    return {
        "actions": actions,
        "implicit_keep": result["implicit_keep"],
        "implicit_keep_flags": record.normalise_flags(result["implicit_keep_flags"]),
        "error": result["error"],
    }


def expected():
    with open(CORPUS / "expected.json") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def config():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "managesieved.conf")
        with open(path, "w") as f:
            f.write("sieve_extensions = %s\n" % record.EXTENSIONS)
        yield path


def run_ctl(config, script, message):
    p = subprocess.run(
        [str(CTL), "test", "-c", config, "--json", "--envelope-from", record.ENVELOPE_FROM,
         "--envelope-to", record.ENVELOPE_TO, "--personal-dir", str(CORPUS / "personal"),
         "--global-dir", str(CORPUS / "global"), *[arg for name in record.MAILBOXES for arg in ("--mailbox", name)],
         str(CORPUS / "scripts" / (script + ".sieve")),
         str(CORPUS / "messages" / (message + ".eml"))],
        capture_output=True, text=True, env=dict(os.environ, TZ="UTC"), timeout=60)
    assert p.returncode in (0, 1), p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 1, "stdout must be exactly one JSON object: %r" % p.stdout
    return json.loads(lines[0])


def test_the_corpus_is_large_and_covers_every_script_and_message():
    cases = expected()
    scripts = {p.stem for p in (CORPUS / "scripts").glob("*.sieve")}
    messages = {p.stem for p in (CORPUS / "messages").glob("*.eml")}
    assert len(cases) == len(scripts) * len(messages) >= 500
    assert set(cases) == {"%s/%s" % (s, m) for s in scripts for m in messages}


def test_agreement_with_sieve_test(config):
    cases = expected()
    disagreements = {}
    for case, want in sorted(cases.items()):
        script, message = case.split("/")
        got = normalise(run_ctl(config, script, message))
        if got != want:
            disagreements[case] = (got, want)
    unexplained = {k: v for k, v in disagreements.items() if k not in DIFFERENCES}
    rate = 1 - len(disagreements) / len(cases)
    print("agreement with sieve-test: %d/%d cases (%.1f %%)" % (
        len(cases) - len(disagreements), len(cases), 100 * rate))
    for case, (got, want) in sorted(unexplained.items()):
        print("%s:\n  ours:       %s\n  sieve-test: %s" % (case, got, want))
    assert not unexplained
    assert rate >= 0.99
    stale = [k for k in DIFFERENCES if k not in disagreements]
    assert not stale, "listed as different but agreeing now: %s" % stale


def test_json_shape_of_a_failed_run(config):
    result = run_ctl(config, "redirect-invalid-var", "plain")
    assert result == {"actions": [], "implicit_keep": True, "implicit_keep_flags": [], "error": True}


def test_batch_gives_one_json_line_per_message_naming_it(config):
    messages = [str(CORPUS / "messages" / m) for m in ("plain.eml", "groups.eml")]
    p = subprocess.run([str(CTL), "test", "-c", config, "--json", str(CORPUS / "scripts" / "spamlike.sieve"), *messages],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    results = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["message"] for r in results] == messages
    assert [a["mailbox"] for a in results[0]["actions"]] == ["Friends", "Lists"]
    assert results[1]["actions"] == [
        {"type": "fileinto", "mailbox": "Junk", "flags": ["$Junk"], "copy": False, "create": False}]


def test_trace_shows_the_decoded_values_keys_and_outcome(tmp_path):
    script = tmp_path / "filter.sieve"
    script.write_text('require "fileinto";\nif header :contains "subject" "Réunion" { fileinto "Meetings"; }\n')
    message = tmp_path / "m.eml"
    message.write_bytes(b"Subject: =?iso-8859-1?q?R=E9union?= demain\r\n\r\nx\r\n")
    p = subprocess.run([str(CTL), "test", "--trace", str(script), str(message)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert ('line 2: header ["subject"] :contains i;ascii-casemap: values ["Réunion demain"] keys ["Réunion"] → true'
            in p.stdout.splitlines())
    assert '1. fileinto: store in "Meetings"' in p.stdout
    assert "Implicit keep: no" in p.stdout


def test_usage_errors_exit_64(tmp_path):
    script = tmp_path / "s.sieve"
    script.write_text("keep;\n")
    p = subprocess.run([str(CTL), "test", str(script), str(tmp_path / "missing.eml")], capture_output=True, text=True)
    assert p.returncode == 64 and "cannot read the message" in p.stderr
    p = subprocess.run([str(CTL), "test", "--now", "soon", str(script), str(script)], capture_output=True, text=True)
    assert p.returncode == 64 and "--now" in p.stderr
    # The argument parser's own usage errors point at the whole command's help, as for other subcommands.
    p = subprocess.run([str(CTL), "test", "--no-such-option", str(script), str(script)], capture_output=True,
                       text=True)
    assert p.returncode == 64 and "Unknown option '--no-such-option'" in p.stderr
    assert "See 'managesievectl test --help'" in p.stderr, p.stderr
    p = subprocess.run([str(CTL), "test", "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "USAGE: managesievectl test [<options>] <script>" in p.stdout


def test_batch_list_from_standard_input(config):
    messages = sorted(str(p) for p in (CORPUS / "messages").glob("*.eml"))
    p = subprocess.run([str(CTL), "test", "-c", config, "--json", "--batch", "-", str(CORPUS / "scripts" / "exists.sieve")],
                       input="\n".join(messages) + "\n", capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    results = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["message"] for r in results] == messages
    by_name = {os.path.basename(r["message"]): r["actions"][0]["mailbox"] for r in results}
    assert by_name["plain.eml"] == "list" and by_name["received.eml"] == "nosubject"


def test_reject_and_ereject_are_told_apart_in_json(tmp_path):
    # Debian's Pigeonhole is built without ereject (a compile error there, recorded in the corpus as
    # ereject/*): with the extension enabled, ours reports each with its own type.
    config = tmp_path / "managesieved.conf"
    config.write_text("sieve_extensions = +ereject\n")
    message = CORPUS / "messages" / "plain.eml"
    results = {}
    for command in ("reject", "ereject"):
        script = tmp_path / (command + ".sieve")
        script.write_text('require "%s";\n%s "No, thanks.";\n' % (command, command))
        p = subprocess.run([str(CTL), "test", "-c", str(config), "--json", str(script), str(message)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        results[command] = json.loads(p.stdout)
    for command, result in results.items():
        assert result == {"actions": [{"type": command, "reason": "No, thanks."}], "implicit_keep": False,
                          "implicit_keep_flags": [], "error": False}


def test_duplicate_state_is_injected_with_duplicate_seen(config):
    # Without state every message is new (sieve-test's behaviour, recorded as duplicate/*); --duplicate-seen
    # names the ids seen before: the Message-ID by default, the :header field's value, or :uniqueid.
    script = CORPUS / "scripts" / "duplicate.sieve"
    message = CORPUS / "messages" / "plain.eml"

    def mailboxes(*seen):
        args = [arg for s in seen for arg in ("--duplicate-seen", s)]
        p = subprocess.run([str(CTL), "test", "-c", config, "--json", *args, str(script), str(message)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        return [a["mailbox"] for a in json.loads(p.stdout)["actions"]]

    assert mailboxes() == ["first-from-sender"]
    assert mailboxes("<1@example.org>") == ["dup-message-id", "first-from-sender"]
    assert mailboxes("Meeting tomorrow", "Alice Example <alice@example.org>") == ["dup-subject"]
    assert mailboxes("1@example.org") == ["first-from-sender"]
