#!/usr/bin/env python3
"""A checkpassword program for the tests (the qmail interface): usage: checkpassword.py DB.json REPLY [ARGS...]

Reads user NUL password NUL timestamp NUL from fd 3. DB.json maps users to {"password", "env", "action"}:
"env" is what it hands its reply program (userdb_uid, HOME, ...); "action" may be "tempfail" (exit 111),
"sleep" (hang), "crash" (SIGKILL itself) or "misuse" (exit 2). Every run appends one JSON line to
DB.json.log: the user, its environment, its open descriptors, its process group."""
import json
import os
import signal
import sys
import time

db_path, reply = sys.argv[1], sys.argv[2:]
data = b""
while True:
    chunk = os.read(3, 512)
    if not chunk:
        break
    data += chunk
os.close(3)
user, password = data.split(b"\0")[:2]
user = user.decode()
fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
with open(db_path + ".log", "a") as log:
    log.write(json.dumps({"user": user, "env": dict(os.environ), "fds": fds, "pid": os.getpid(),
                          "pgid": os.getpgid(0), "uid": os.getuid()}) + "\n")
print(f"checked {user}", file=sys.stderr)
entry = json.load(open(db_path)).get(user)
if entry is None or entry["password"] != password.decode():
    sys.exit(1)
action = entry.get("action")
if action == "tempfail":
    sys.exit(111)
if action == "misuse":
    sys.exit(2)
if action == "sleep":
    time.sleep(60)
if action == "crash":
    os.kill(os.getpid(), signal.SIGKILL)
env = dict(os.environ)
env.update(entry.get("env", {}))
os.execve(reply[0], reply, env)
