#!/usr/bin/env python3
"""Instructions from exec to the greeting's write, counted by callgrind (repeatable on a loaded machine).

usage: bench/startup_instructions.py [--bin DIR] [--annotate N] [--keep DIR]

Runs `managesieved -c CONF` with stdin on /dev/null under `valgrind --tool=callgrind --dump-before=write`
for the bench's two configurations (plain: `ssl = no`; TLS: `ssl = yes` and a P-256 certificate), a
passwd-file with one SHA512-CRYPT user and a log file, and prints the instructions of the first dump:
everything before the first call of write(2), which is the greeting's. valgrind cannot read Swift 6.3's
DWARF, so a copy of the binary without debug info is measured (its symbols stay, for --annotate N: the
N most expensive functions, inclusive).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HASH = "$6$bench$1Yx0IvpAgmkPOZ9Dl7v1bCoiq/cTQHpDmGrG4Q1s6mW0r9oi.vJ9xqG8lfDnqA4lMEoBJWCkQ3WUhWkv7NC9e1"


def count(binary, conf, tmp, annotate):
    out = os.path.join(tmp, os.path.basename(conf) + ".cg")
    for old in glob.glob(out + "*"):
        os.remove(old)
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-before=write",
         "--dump-before=__libc_write", binary, "-c", conf],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    parts = sorted(glob.glob(out + ".*"), key=lambda p: int(p.rsplit(".", 1)[1]))
    first = parts[0] if parts else out
    with open(first) as f:
        total = next(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:")))
    if annotate:
        report = subprocess.run(["callgrind_annotate", "--inclusive=yes", first], capture_output=True,
                                text=True).stdout
        lines = [line for line in report.splitlines() if re.match(r"^\s*[\d,]+ \(", line)]
        print("\n".join(lines[:annotate]))
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(HERE), ".build", "release"))
    ap.add_argument("--annotate", type=int, default=0)
    ap.add_argument("--keep", help="keep the configurations and callgrind files in this folder")
    args = ap.parse_args()
    tmp = args.keep or tempfile.mkdtemp(prefix="msstartup.")
    os.makedirs(tmp, exist_ok=True)
    try:
        binary = os.path.join(tmp, "managesieved")
        shutil.copy(os.path.join(args.bin, "managesieved"), binary)
        subprocess.run(["strip", "--strip-debug", binary], check=True)
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-subj", "/CN=localhost", "-days", "2", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        passwd = os.path.join(tmp, "passwd")
        with open(passwd, "w") as f:
            f.write(f"bench:{HASH}:65534:65534::{tmp}/home::\n")
        for name, extra in (("plain", ""), ("tls", f"ssl = yes\nssl_cert = {cert}\nssl_key = {key}\n"
                                                  "disable_plaintext_auth = no\n")):
            conf = os.path.join(tmp, name + ".conf")
            with open(conf, "w") as f:
                f.write(f"passwd_file = {passwd}\nlog_path = {tmp}/log\nauth_failure_delay = 0\n"
                        f"sieve_max_script_size = 4M\n{extra}")
            print(f"{name}: {count(binary, conf, tmp, args.annotate):,} instructions to the greeting", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
