#!/usr/bin/env python3
"""A recheck-at-scale set-up: python3 bench/recheck_users.py ROOT USERS SCRIPTS (as root). Makes USERS users
(uids 2000…) with SCRIPTS small scripts each in ROOT/home/NNNNN/sieve (each user's own files), the second one
active, ROOT/passwd and ROOT/conf; then: managesievectl recheck -A -c ROOT/conf. See bench/results.md."""
import os, sys
root = sys.argv[1]; users = int(sys.argv[2]); per = int(sys.argv[3])
os.makedirs(root + "/home", exist_ok=True)
scripts = [
    b'require ["fileinto", "imap4flags"];\nif header :contains "subject" "[list-%d]" {\n  addflag "\\\\Seen";\n  fileinto "Lists.%d";\n  stop;\n}\n',
    b'require "vacation";\nvacation :days 7 :subject "Away %d" "I am away until the %dth.";\n',
    b'require ["envelope", "subaddress", "fileinto"];\nif envelope :detail "to" "spam%d" { fileinto "Junk"; }\nif address :domain :is "from" "example%d.org" { keep; }\n',
    b'require ["regex", "variables"];\nif header :regex "subject" "^\\\\[ticket-([0-9]+)\\\\] %d" { set "t" "${1}"; }\nif size :over 100K { discard; stop; }\n# note %d\nkeep;\n',
]
lines = []
for u in range(users):
    uid = 2000 + u
    name = f"user{u:05d}@example.org"
    home = f"{root}/home/{u:05d}"
    st = home + "/sieve"
    os.makedirs(st, exist_ok=True)
    for s in range(per):
        p = f"{st}/s{s}.sieve"
        with open(p, "wb") as f:
            f.write(scripts[s % len(scripts)] % (s, u))
        os.chown(p, uid, uid)
    os.chown(st, uid, uid); os.chown(home, uid, uid); os.chmod(home, 0o700)
    os.symlink("sieve/s1.sieve", home + "/.dovecot.sieve"); os.lchown(home + "/.dovecot.sieve", uid, uid)
    lines.append(f"{name}:{{PLAIN}}x:{uid}:{uid}::{home}::")
open(root + "/passwd", "w").write("\n".join(lines) + "\n")
open(root + "/conf", "w").write(f"passwd_file = {root}/passwd\nfirst_valid_uid = 1000\nlog_path = {root}/log\n")
