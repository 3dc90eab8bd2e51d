"""Section 8 of the bench: `managesievectl test` (a dry run) next to Pigeonhole's sieve-test.

- one run: a 200-rule Roundcube-style script (the `# rule:[…]` blocks Roundcube's managesieve plugin writes)
  against a 200 KB multipart message, `managesievectl test` vs `sieve-test` (hyperfine, medians);
  target: ours in ≤ 1/3 of sieve-test's time;
- a batch: 10,000 messages (1,000 with --quick) through a 20-rule script in one `managesievectl test --json`
  process (`--batch LIST`); target ≥ 5,000 messages/s. sieve-test has no batch mode: its figure is one process per message.

BENCH_ONLY=test runs only this section. Standalone smoke run: `python3 bench/dryrun.py --bin DIR --quick`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def roundcube_script(rules):
    out = ['require ["fileinto","imap4flags","copy","reject","vacation","relational","regex","body"];']
    for i in range(rules):
        kind = i % 5
        out.append("# rule:[rule %d]" % i)
        if kind == 0:
            out.append('if header :contains "subject" "project-%d" { fileinto "Projects/p%d"; stop; }' % (i, i))
        elif kind == 1:
            out.append('if address :is "from" "sender%d@example.com" { addflag "\\\\Flagged"; fileinto "People"; }' % i)
        elif kind == 2:
            out.append('if anyof (header :contains "list-id" "list%d.example.org", header :is "x-tag" "t%d") '
                       '{ fileinto "Lists/l%d"; stop; }' % (i, i, i))
        elif kind == 3:
            out.append('if allof (header :matches "to" "*team%d*", size :over 100K) { fileinto :copy "Big"; }' % i)
        else:
            out.append('if header :regex "subject" "^\\\\[ticket-%d\\\\]" { fileinto "Tickets"; stop; }' % i)
    out.append('if header :contains "subject" "zzz-final" { discard; }')
    return "\n".join(out) + "\n"


def multipart_message(size):
    line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n"
    text = line * (size // 2 // len(line))
    import base64
    blob = base64.encodebytes(os.urandom(size // 2 * 3 // 4)).decode().replace("\n", "\r\n")
    return ("From: Someone <someone@example.net>\r\nTo: team7@example.com\r\nSubject: weekly report\r\n"
            "Date: Mon, 15 Jan 2024 08:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b1\r\n"
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + blob + "\r\n--b1--\r\n")


def sieve_test_config(tmp):
    mail = os.path.join(tmp, "mail")
    os.makedirs(mail, exist_ok=True)
    os.chmod(mail, 0o777)
    conf = os.path.join(tmp, "sieve-test.conf")
    lines = ["protocols =", "base_dir = %s" % os.path.join(tmp, "run"), "mail_location = maildir:%s" % mail,
             "log_path = /dev/stderr"]
    if os.geteuid() == 0:
        lines += ["mail_uid = nobody", "mail_gid = nogroup"]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    return conf


def hyperfine(commands, runs, tmp):
    out = os.path.join(tmp, "dryrun-hyperfine.json")
    subprocess.run(["hyperfine", "-N", "-i", "--warmup", "3", "--runs", str(runs), "--export-json", out] + commands,
                   check=True, capture_output=True, text=True)
    with open(out) as f:
        return [r["median"] * 1000 for r in json.load(f)["results"]]


def rows(bin_dir, tmp, quick, fmt, log):
    log("bench: 8. dry runs: managesievectl test vs sieve-test")
    work = os.path.join(tmp, "dryrun")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o777)
    script = os.path.join(work, "roundcube.sieve")
    with open(script, "w") as f:
        f.write(roundcube_script(200))
    message = os.path.join(work, "message.eml")
    with open(message, "w") as f:
        f.write(multipart_message(200 * 1024))
    conf = sieve_test_config(work)
    ctl = os.path.join(bin_dir, "managesievectl")
    us, them = hyperfine([f"{ctl} test {script} {message}", f"sieve-test -c {conf} {script} {message}"],
                         5 if quick else 30, work)
    out = [("8", "`managesievectl test` vs `sieve-test`, 200 rules, 200 KB multipart", fmt(us, "ms", 1),
            fmt(them, "ms", 1), us / them, "≤ 1/3", us * 3 <= them)]

    count = 1000 if quick else 10_000
    small = os.path.join(work, "batch")
    os.makedirs(small, exist_ok=True)
    paths = []
    for i in range(count):
        p = os.path.join(small, "m%05d.eml" % i)
        with open(p, "w") as f:
            f.write("From: sender%d@example.com\r\nTo: team%d@example.com\r\nSubject: project-%d update\r\n"
                    "List-Id: <list%d.example.org>\r\n\r\nbody %d\r\n" % (i % 50, i % 7, i % 40, i % 30, i))
        paths.append(p)
    rules = os.path.join(work, "rules20.sieve")
    with open(rules, "w") as f:
        f.write(roundcube_script(20))
    listing = os.path.join(work, "batch.list")
    with open(listing, "w") as f:
        f.write("\n".join(paths) + "\n")
    t0 = time.perf_counter()
    p = subprocess.run([ctl, "test", "--json", "--batch", listing, rules], capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    lines = p.stdout.count("\n")
    if lines != count:
        raise RuntimeError("batch: %d results for %d messages: %s" % (lines, count, p.stderr[-400:]))
    per_s = count / elapsed
    one = hyperfine([f"sieve-test -c {conf} {rules} {paths[0]}"], 5 if quick else 20, work)[0]
    out.append(("8", f"batch: {count:,} messages, 20 rules, one `managesievectl test --json`", fmt(per_s, "/s", 0),
                fmt(1000 / one, "/s", 0), per_s / (1000 / one), "≥ 5,000/s", per_s >= 5000))
    return out


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="dryrun.")
    os.chmod(tmp, 0o755)
    try:
        for row in rows(a.bin, tmp, a.quick, lambda v, u, d=2: f"{v:.{d}f} {u}", lambda m: print(m, file=sys.stderr)):
            print(row)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
