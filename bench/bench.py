#!/usr/bin/env python3
"""managesieved next to Dovecot's Pigeonhole: start-up, sessions, CHECKSCRIPT speed and memory.

Run by `make bench` (bench/run.sh), as root: Dovecot's master and our privilege drop need it.
Starts a private Dovecot (own dovecot.conf, base_dir and log under a temporary directory,
loopback only) and managesieved under socat, measures both, prints a table and writes
bench/results.md. Everything started here is stopped on exit (normal, error or signal).

usage: bench.py --bin DIR [--quick] [--out FILE]
  BENCH_ONLY=tls: only the TLS configuration's rows (section 7); BENCH_ONLY=scale: only section 6;
  BENCH_ONLY=test: only the dry runs (section 8, bench/dryrun.py).
"""
import argparse
import base64
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

import dryrun
import scale

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
USER, PASSWORD = "bench", "bench-secret"
SHM_USER = "benchshm"  # the same user with its home on tmpfs: the servers' work without the disk's fsyncs
UID = GID = 65534  # nobody: an unprivileged uid both servers accept (first_valid_uid = 500)
MAX_SCRIPT = "4M"  # both servers: the 2 MB script fits, the 10 MB upload does not

children = []  # Popen objects to stop at exit
cleanups = []  # callables run at exit, last first


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0, greets=True):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if greets:
                    s.recv(1)
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


def stop_everything():
    for fn in reversed(cleanups):
        try:
            fn()
        except Exception as exc:  # keep stopping the rest
            log(f"bench: cleanup: {exc}")
    cleanups.clear()
    for p in children:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for p in children:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
    children.clear()


def on_signal(signum, _frame):
    stop_everything()
    sys.exit(128 + signum)


# ---------------------------------------------------------------- /proc

def descendants(pid):
    """All processes under pid (not pid itself)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                parent[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        frontier += kids
    return found


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def memory(pid):
    """kB: Rss, unshared (Private_Clean + Private_Dirty), VmHWM (peak RSS)."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if parts and parts[0] in ("Rss:", "Private_Clean:", "Private_Dirty:"):
                    out[parts[0][:-1]] = int(parts[1])
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    out["VmHWM"] = int(line.split()[1])
    except OSError:
        return None
    out["unshared"] = out.get("Private_Clean", 0) + out.get("Private_Dirty", 0)
    return out


# ---------------------------------------------------------------- a tiny ManageSieve client (memory tests)

class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.response()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise RuntimeError("connection closed")
        self.buf += data

    def line(self):
        while b"\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def response(self):
        """Reads up to the OK/NO/BYE line (skipping literals); returns that line."""
        while True:
            line = self.line()
            while (m := re.search(rb"\{(\d+)\}$", line)):
                count = int(m.group(1))
                while len(self.buf) < count:
                    self._fill()
                self.buf = self.buf[count:]
                line = self.line()
            if line[:2] in (b"OK", b"NO") or line[:3] == b"BY":
                return line

    def command(self, text, literal=None, expect=b"OK"):
        data = text.encode()
        if literal is not None:
            data += b"{%d+}\r\n" % len(literal) + literal
        self.sock.sendall(data + b"\r\n")
        line = self.response()
        if expect is not None and not line.startswith(expect):
            raise RuntimeError(f"{text.split()[0]}: {line!r}")
        return line

    def starttls(self):
        self.command("STARTTLS")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock)
        self.buf = b""
        self.response()  # capabilities again, then OK

    def login(self):
        token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
        self.command(f'AUTHENTICATE "PLAIN" "{token}"')

    def logout(self):
        try:
            self.command("LOGOUT", expect=None)
        except (RuntimeError, OSError):
            pass
        self.sock.close()


# ---------------------------------------------------------------- the two servers

class Setup:
    def __init__(self, args):
        self.tmp = tempfile.mkdtemp(prefix="msbench.")
        cleanups.append(lambda: shutil.rmtree(self.tmp, ignore_errors=True))
        os.chmod(self.tmp, 0o755)  # the users (uid 65534) must reach their homes
        # Run installed copies, as `make install` would: a binary just written by the linker starts
        # measurably slower from the page cache than the same bytes written sequentially by a copy
        # (more page faults at exec; see results.md).
        self.bin = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin)
        for name in ("managesieved", "managesievectl"):
            shutil.copy(os.path.join(args.bin, name), self.bin)
        self.tools = os.path.join(self.tmp, "tools")
        os.mkdir(self.tools)
        hashed = run([f"{self.bin}/managesievectl", "hash-password", "--scheme", "SHA512-CRYPT"],
                     input=PASSWORD + "\n").strip()
        assert "$6$" in hashed, hashed
        self.hash = hashed
        self.cert = os.path.join(self.tmp, "cert.pem")
        self.key = os.path.join(self.tmp, "key.pem")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-subj", "/CN=localhost", "-days", "2", "-keyout", self.key, "-out", self.cert])
        self.shm = None
        if os.path.isdir("/dev/shm"):
            self.shm = tempfile.mkdtemp(prefix="msbench.", dir="/dev/shm")
            cleanups.append(lambda: shutil.rmtree(self.shm, ignore_errors=True))
            os.chmod(self.shm, 0o755)
        self.compile_tools()
        self.scripts = {}
        for size in ("2K", "200K", "2M", "10M"):
            path = os.path.join(self.tmp, f"script-{size}.sieve")
            run([sys.executable, os.path.join(HERE, "gen_script.py"), size, path])
            self.scripts[size] = path

    def compile_tools(self):
        for name, flags, libs in (("greeting", ["-static"], []), ("firstbyte", [], []),
                                  ("client", [], ["-lssl", "-lcrypto"])):
            run(["cc", "-O2", *flags, "-o", os.path.join(self.tools, name), os.path.join(HERE, f"{name}.c"), *libs])

    def home(self, server):
        """The user's home on disk (and a second user's on tmpfs); returns the first and the passwd-file."""
        lines, homes = [], []
        for user, base in ((USER, self.tmp), (SHM_USER, self.shm)):
            if base is None:
                continue
            home = os.path.join(base, server, "home", user)
            os.makedirs(home, exist_ok=True)
            for d in (os.path.join(base, server), os.path.join(base, server, "home")):
                os.chmod(d, 0o755)
            os.chown(home, UID, GID)
            lines.append(f"{user}:{self.hash}:{UID}:{GID}::{home}::\n")
            homes.append(home)
        passwd = os.path.join(self.tmp, server, "passwd")
        with open(passwd, "w") as f:
            f.writelines(lines)
        return homes[0], passwd


class Ours:
    name = "managesieved"

    def __init__(self, setup):
        self.setup = setup
        self.dir = os.path.join(setup.tmp, "ours")
        self.home, self.passwd = setup.home("ours")
        self.conf = {}
        for tls in (False, True):
            path = os.path.join(self.dir, "tls.conf" if tls else "plain.conf")
            with open(path, "w") as f:
                f.write(f"passwd_file = {self.passwd}\n"
                        f"log_path = {self.dir}/managesieved.log\n"
                        "auth_failure_delay = 0\n"
                        f"sieve_max_script_size = {MAX_SCRIPT}\n")
                if tls:
                    f.write(f"ssl = yes\nssl_cert = {setup.cert}\nssl_key = {setup.key}\n"
                            "disable_plaintext_auth = no\n")
            self.conf[tls] = path
        # The same server with a 10,000-user passwd-file: the greeting's SASL list depends on it.
        big_passwd = os.path.join(self.dir, "passwd-10k")
        with open(self.passwd) as f, open(big_passwd, "w") as out:
            out.write(f.read())
            for i in range(10000):
                out.write(f"user{i}:{setup.hash}:{10000 + i}:{10000 + i}::/home/user{i}::\n")
        self.big_conf = os.path.join(self.dir, "big.conf")
        with open(self.conf[False]) as f, open(self.big_conf, "w") as out:
            out.write(f.read().replace(f"passwd_file = {self.passwd}\n", f"passwd_file = {big_passwd}\n"))
        self.port = {}
        self.listener = {}
        # "implicit": the TLS configuration on a port of its own for implicit TLS (--implicit-tls).
        for tls in (False, True, "implicit"):
            port = free_port()
            conf = self.conf[bool(tls)] + (" --implicit-tls" if tls == "implicit" else "")
            p = subprocess.Popen(
                ["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,backlog=256,nodelay",
                 f"EXEC:{setup.bin}/managesieved -c {conf},nofork"],
                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            children.append(p)
            self.port[tls], self.listener[tls] = port, p.pid
        for key, port in self.port.items():
            # The implicit-TLS port says nothing until a handshake: a connection accepted is enough there.
            wait_port(port, greets=key != "implicit")

    def exec_command(self, big=False, tls=False):
        conf = self.big_conf if big else self.conf[tls]
        return None, "LOGOUT\\r\\n", [f"{self.setup.bin}/managesieved", "-c", conf]

    def connection_processes(self, tls):
        """(server processes, relay processes) serving connections now."""
        procs = descendants(self.listener[tls])
        return ([p for p in procs if comm(p) == "managesieved"], [p for p in procs if comm(p) == "socat"])

    def total_unshared(self, tls):
        procs = [self.listener[tls], *descendants(self.listener[tls])]
        return sum((memory(p) or {}).get("unshared", 0) for p in procs)


class Dovecot:
    name = "Dovecot"

    def __init__(self, setup):
        self.setup = setup
        self.dir = os.path.join(setup.tmp, "dovecot")
        self.home, self.passwd = setup.home("dovecot")
        for sub in ("run", "state"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.port = {False: free_port(), True: free_port()}
        self.master = None
        self.tls = None
        self.extra = ""  # more plugin settings (section 6's quotas)

    def write_conf(self, tls):
        d = self.dir
        path = os.path.join(d, "dovecot.conf")
        with open(path, "w") as f:
            f.write(f"""# private instance written by bench/bench.py
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
instance_name = msbench-{os.getpid()}
protocols = sieve
listen = 127.0.0.1
ssl = {"yes" if tls else "no"}
{f"ssl_cert = <{self.setup.cert}" if tls else ""}
{f"ssl_key = <{self.setup.key}" if tls else ""}
disable_plaintext_auth = no
auth_mechanisms = plain
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_max_userip_connections = 200
# 200 concurrent sessions (section 6) need more than the default 100 processes per service.
default_process_limit = 300
default_client_limit = 2000
# Section 6's passwd-file of 10^6 users: Dovecot's auth process keeps the whole file in memory, past the
# default 256M address-space limit (the auth process died and the login closed the connection).
default_vsz_limit = 2G
passdb {{
  driver = passwd-file
  args = scheme=SHA512-CRYPT {self.passwd}
}}
userdb {{
  driver = passwd-file
  args = {self.passwd}
}}
service managesieve-login {{
  inet_listener sieve {{
    address = 127.0.0.1
    port = {self.port[tls]}
  }}
}}
plugin {{
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_max_script_size = {MAX_SCRIPT}
{self.extra}}}
""")
        self.conf = path
        return path

    def start(self, tls):
        self.stop()
        conf = self.write_conf(tls)
        cleanups.append(self.stop)
        # The master daemonizes and keeps inherited descriptors: no pipes, or we would wait for it forever.
        # A few tries: after an instance whose auth process held a 10^6-user passwd-file, the next master
        # sometimes refused to start (exit 89) while the old processes were still going away.
        for attempt in range(6):
            done = subprocess.run(["dovecot", "-c", conf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
            if done.returncode == 0:
                break
            if attempt == 5:
                done.check_returncode()
            log(f"bench: dovecot exited with {done.returncode} at start; trying again")
            time.sleep(1)
        pidfile = os.path.join(self.dir, "run", "master.pid")
        deadline = time.monotonic() + 10
        while not os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.05)
        with open(pidfile) as f:
            self.master = int(f.read())
        self.tls = tls
        wait_port(self.port[tls])
        # The environment Dovecot's master gives a mail process (config included): the
        # fastest way to start managesieve pre-authenticated on pipes.
        env = subprocess.run(["doveconf", "-c", conf, "-e", "/usr/bin/env", "-0"], env={}, check=True,
                             capture_output=True).stdout
        self.env_file = os.path.join(self.dir, "managesieve.env")
        with open(self.env_file, "wb") as f:
            f.write(env + f"USER={USER}\0HOME={self.home}\0".encode())

    def stop(self):
        if self.master is None:
            return
        try:
            os.kill(self.master, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.path.exists(f"/proc/{self.master}"):
            time.sleep(0.05)
        self.master = None

    def exec_command(self):
        return self.env_file, "NOOP\\r\\n", ["/usr/lib/dovecot/managesieve", "-o", f"mail_uid={UID}",
                                             "-o", f"mail_gid={GID}"]

    def connection_processes(self, tls):
        procs = descendants(self.master)
        return ([p for p in procs if comm(p) == "managesieve"],
                [p for p in procs if comm(p).startswith("managesieve-lo")])

    def total_unshared(self, tls):
        procs = [self.master, *descendants(self.master)]
        return sum((memory(p) or {}).get("unshared", 0) for p in procs)


# ---------------------------------------------------------------- measurements

def median(values):
    return statistics.median(values)


def firstbyte(setup, env_file, stdin, argv, n):
    cmd = [os.path.join(setup.tools, "firstbyte")]
    if env_file:
        cmd += ["-e", env_file]
    out = run(cmd + [str(n), stdin, *argv])
    fields = dict(kv.split("=") for kv in out.split())
    return float(fields["first_median_us"]) / 1000


def measure_exec(setup, ours, dovecot, rounds, n):
    results = {"c": [], "us": [], "them": [], "big": [], "tls": []}
    runs = [
        ("c", lambda: firstbyte(setup, None, "LOGOUT\\r\\n", [os.path.join(setup.tools, "greeting")], n)),
        ("us", lambda: firstbyte(setup, *ours.exec_command(), n)),
        ("them", lambda: firstbyte(setup, *dovecot.exec_command(), n)),
        ("big", lambda: firstbyte(setup, *ours.exec_command(big=True), max(5, n // 10))),
        ("tls", lambda: firstbyte(setup, *ours.exec_command(tls=True), n)),
    ]
    # Interleaved, so load changes on a shared machine hit all of them alike, and rotated from round to
    # round: whichever program runs right after another one's burst comes out 15-20 us faster here.
    for r in range(rounds):
        for key, measure in runs[r % len(runs):] + runs[:r % len(runs)]:
            results[key].append(measure())
    return (median(results["c"]), median(results["us"]), median(results["them"]), median(results["big"]),
            median(results["tls"]))


def client(setup, *args):
    out = run([os.path.join(setup.tools, "client"), *map(str, args)])
    return dict(kv.split("=") for kv in out.split())


def measure_sessions(setup, ours, dovecot, rounds, n, jobs, user=USER, tls=False, mode="session"):
    us, them = [], []
    for _ in range(rounds):
        for server, acc in ((ours, us), (dovecot, them)):
            r = client(setup, mode, "127.0.0.1", server.port[tls], user, PASSWORD, setup.scripts["2K"],
                       n, jobs)
            acc.append(float(r["per_second"]))
    return median(us), median(them)


def measure_check(setup, ours, dovecot, size, rounds, n):
    us, them = [], []
    for _ in range(rounds):
        for server, acc in ((ours, us), (dovecot, them)):
            r = client(setup, "check", "127.0.0.1", server.port[False], USER, PASSWORD, setup.scripts[size], n)
            acc.append(float(r["mb_per_s"]))
    return median(us), median(them)


def measure_cli(setup, ours, dovecot, size, runs):
    path = setup.scripts[size]
    out = os.path.join(setup.tmp, "hyperfine.json")
    svbin = os.path.join(setup.tmp, "out.svbin")
    run(["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", out,
         f"{setup.bin}/managesievectl check -c {ours.conf[False]} {path}",
         f"sievec -c {dovecot.conf} {path} {svbin}"])
    with open(out) as f:
        results = json.load(f)["results"]
    return results[0]["median"] * 1000, results[1]["median"] * 1000


def new_process(server, tls, before):
    for _ in range(100):
        procs = [p for p in server.connection_processes(tls)[0] if p not in before]
        if procs:
            return procs[0]
        time.sleep(0.02)
    raise RuntimeError(f"{server.name}: no process for the new connection")


def measure_timing(setup, ours, dovecot, rounds, n, ours_mode, ours_port, their_mode, their_port):
    """Median of the client's per-connection timings (ms), ours and Dovecot's interleaved."""
    us, them = [], []
    for _ in range(rounds):
        us.append(float(client(setup, ours_mode, "127.0.0.1", ours_port, USER, PASSWORD, setup.scripts["2K"],
                               n)["median_ms"]))
        them.append(float(client(setup, their_mode, "127.0.0.1", their_port, USER, PASSWORD,
                                 setup.scripts["2K"], n)["median_ms"]))
    return median(us), median(them)


def measure_idle(server, tls, count, starttls=None):
    """Per-connection memory with `count` idle logged-in sessions on the `tls` configuration's port (after
    STARTTLS when `starttls`, which defaults to `tls`)."""
    starttls = tls if starttls is None else starttls
    time.sleep(0.3)
    base = server.total_unshared(tls)
    clients = []
    try:
        for _ in range(count):
            c = Client(server.port[tls])
            if starttls:
                c.starttls()
            c.login()
            clients.append(c)
        time.sleep(0.5)
        servers, relays = server.connection_processes(tls)
        mem = [m for m in map(memory, servers) if m]
        rel = [m for m in map(memory, relays) if m]
        total = server.total_unshared(tls)
        if len(mem) < count:
            raise RuntimeError(f"{server.name}: {len(mem)} processes for {count} sessions")
        return {
            "dirty": median([m.get("Private_Dirty", 0) for m in mem]),
            "relay_dirty": median([m.get("Private_Dirty", 0) for m in rel]) if rel else 0,
            "unshared": median([m["unshared"] for m in mem]),
            "hwm": median([m["VmHWM"] for m in mem]),
            "relay_unshared": median([m["unshared"] for m in rel]) if rel else 0,
            "relay_hwm": median([m["VmHWM"] for m in rel]) if rel else 0,
            "relays": len(rel),
            "delta": (total - base) / count,
        }
    finally:
        for c in clients:
            c.logout()


def measure_upload(server, script, command):
    """Peak RSS (kB) of the server process that handled one CHECKSCRIPT/PUTSCRIPT of `script`."""
    with open(script, "rb") as f:
        data = f.read()
    before = set(server.connection_processes(False)[0])
    c = Client(server.port[False])
    c.login()
    pid = new_process(server, False, before)
    start = memory(pid)["VmHWM"]
    line = c.command(command, literal=data, expect=None)
    peak = memory(pid)["VmHWM"]
    c.logout()
    return start, peak, line.decode(errors="replace")[:60]


def measure_tls(setup, ours, dovecot, q, notes):
    """Section 7: both servers with `ssl = yes` and the same certificate (Dovecot restarted so by the caller).
    A STARTTLS client's greeting, sessions in plaintext and inside STARTTLS, STARTTLS itself, implicit TLS
    (ours on a port of its own, --implicit-tls) against Dovecot's STARTTLS, and private dirty memory of 10
    concurrent logged-in sessions, plaintext and inside STARTTLS."""
    rows = []
    rounds, n = (3, 15) if q else (5, 60)
    us, them = measure_timing(setup, ours, dovecot, rounds, n, "greet", ours.port[True], "greet", dovecot.port[True])
    rows.append(("7", "TCP connect → greeting under socat, STARTTLS client", fmt(us, "ms"), fmt(them, "ms"),
                 us / them, "≤ 0.7×", us <= 0.7 * them))
    for mode, label in (("session", "plaintext"), ("tlssession", "inside STARTTLS")):
        r = measure_sessions(setup, ours, dovecot, rounds=rounds, n=20 if q else 40, jobs=1, tls=True, mode=mode)
        rows.append(("7", f"session/s, sequential, {label}, home on disk (/tmp)", fmt(r[0], "/s", 0),
                     fmt(r[1], "/s", 0), r[0] / r[1], "≥ 1.5×", r[0] >= 1.5 * r[1]))
    us, them = measure_timing(setup, ours, dovecot, rounds, n, "starttls", ours.port[True], "starttls",
                              dovecot.port[True])
    rows.append(("7", "STARTTLS → capabilities inside TLS", fmt(us, "ms"), fmt(them, "ms"), us / them, "≤ 1×",
                 us <= them))
    us, them = measure_timing(setup, ours, dovecot, rounds, n, "implicit", ours.port["implicit"], "tlsconnect",
                              dovecot.port[True])
    rows.append(("7", "implicit TLS connect → greeting (Dovecot: connect → STARTTLS → capabilities)",
                 fmt(us, "ms"), fmt(them, "ms"), us / them, "≤ 1×", us <= them))
    for starttls, label in ((False, "plaintext"), (True, "inside STARTTLS")):
        m_us = measure_idle(ours, True, 10, starttls=starttls)
        m_them = measure_idle(dovecot, True, 10, starttls=starttls)
        them_dirty = m_them["dirty"] + (m_them["relay_dirty"] * m_them["relays"] / 10)
        rows.append(("7", f"private dirty memory per connection, 10 sessions, {label}", f"{m_us['dirty']:.0f} kB",
                     f"{them_dirty:.0f} kB", m_us["dirty"] / them_dirty, "≤ 0.5×", m_us["dirty"] <= 0.5 * them_dirty))
        notes.append(
            f"`ssl = yes`, {label}: managesieved process {m_us['dirty']:.0f} kB private dirty; Dovecot "
            f"managesieve {m_them['dirty']:.0f} kB + {m_them['relays']} login process(es) for 10 sessions, "
            f"{m_them['relay_dirty']:.0f} kB each.")
    return rows


# ---------------------------------------------------------------- report

def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    try:
        commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).strip()
        dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "Sources"]).strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        commit, dirty = "unknown (not a git checkout)", ""
    if os.environ.get("BENCH_COMMIT"):  # binaries built elsewhere, from this commit
        commit, dirty = os.environ["BENCH_COMMIT"], ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} × {cpu}",
        "ram": f"{mem_kb / 1048576:.1f} GiB",
        "load": "%.1f %.1f %.1f" % os.getloadavg(),
        "os": platform.platform(),
        "commit": commit + (" (with uncommitted changes in Sources/)" if dirty else ""),
        "dovecot": run(["dovecot", "--version"]).strip(),
        "swift": run(["swift", "--version"]).strip().splitlines()[0],
    }


def fmt(value, unit, digits=2):
    return f"{value:.{digits}f} {unit}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="directory with the release managesieved and managesievectl")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test)")
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"))
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: run as root (Dovecot's master and the servers' privilege drop need it)")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    q = args.quick
    try:
        setup = Setup(args)
        ours, dovecot = Ours(setup), Dovecot(setup)
        dovecot.start(tls=False)
        rows = []
        t_start = time.monotonic()

        only = os.environ.get("BENCH_ONLY")
        notes, exec_ms = [], None
        if only not in ("scale", "tls", "test"):
            notes, exec_ms = standard_sections(setup, ours, dovecot, q, rows)
        if only not in ("scale", "test"):
            tls_section(setup, ours, dovecot, q, rows, notes, exec_ms)
        if only not in ("tls", "test"):
            rows += scale.rows(setup, ours, dovecot, q, client, fmt, sys.modules[__name__])
        if only in (None, "test"):
            rows += dryrun.rows(setup.bin, setup.tmp, q, fmt, log)
        elapsed = time.monotonic() - t_start
    finally:
        stop_everything()

    info = machine()
    table = render(rows)
    print(table)
    for n in notes:
        print("- " + n)
    write_results(args.out, info, table, notes, elapsed, q)
    log(f"bench: wrote {args.out} ({elapsed:.0f} s of measurements)")


def standard_sections(setup, ours, dovecot, q, rows):
    """Sections 1-5; returns the notes and the exec figures section 7 reuses (C, Dovecot, ours with ssl = yes)."""
    log("bench: 1. exec -> first byte")
    c_ms, us_ms, them_ms, big_ms, tls_ms = measure_exec(setup, ours, dovecot, rounds=3 if q else 5,
                                                        n=30 if q else 200)
    rows.append(("1", "exec → first byte on pipes", fmt(us_ms, "ms", 3), fmt(them_ms, "ms", 3),
                 us_ms / them_ms, f"≤ 1.5× C ({c_ms:.3f} ms): {us_ms / c_ms:.2f}×", us_ms <= 1.5 * c_ms))
    rows.append(("1", "the same, passwd-file of 10,000 users", fmt(big_ms, "ms", 3), fmt(them_ms, "ms", 3),
                 big_ms / them_ms, f"{big_ms / c_ms:.1f}× C", None))

    log("bench: 2. whole sessions")
    homes = [("disk (/tmp)", USER)] + ([("tmpfs (/dev/shm)", SHM_USER)] if setup.shm else [])
    for label, user in homes:
        for jobs, what in ((1, "sequential"), (2, "2 concurrent clients")):
            r = measure_sessions(setup, ours, dovecot, rounds=3 if q else 5, n=(20 if q else 60) // jobs,
                                 jobs=jobs, user=user)
            rows.append(("2", f"session/s, {what}, home on {label}", fmt(r[0], "/s", 0), fmt(r[1], "/s", 0),
                         r[0] / r[1], "≥ 1.5×", r[0] >= 1.5 * r[1]))

    log("bench: 3. CHECKSCRIPT and the command-line checkers")
    for size, n in (("2K", 200), ("200K", 30), ("2M", 7)):
        us, them = measure_check(setup, ours, dovecot, size, rounds=3, n=max(3, n // 5) if q else n)
        target = "≥ 2×" if size == "2M" else ""
        rows.append((f"3", f"CHECKSCRIPT {size}", fmt(us, "MB/s"), fmt(them, "MB/s"), us / them, target,
                     us >= 2 * them if size == "2M" else None))
    for size in ("2K", "2M"):
        us, them = measure_cli(setup, ours, dovecot, size, runs=5 if q else 20)
        rows.append(("3", f"`managesievectl check` vs `sievec`, {size}", fmt(us, "ms", 1), fmt(them, "ms", 1),
                     us / them, "", None))

    log("bench: 5. uploads: peak memory")
    for label, size, cmd in (("CHECKSCRIPT 2 MB", "2M", "CHECKSCRIPT "),
                             ("PUTSCRIPT 10 MB (over the 4M limit)", "10M", 'PUTSCRIPT "big" ')):
        res = [measure_upload(s, setup.scripts[size], cmd) for s in (ours, dovecot)]
        rows.append(("5", f"{label}: peak RSS (VmHWM)", f"{res[0][1] / 1024:.1f} MiB",
                     f"{res[1][1] / 1024:.1f} MiB", res[0][1] / res[1][1],
                     f"answers: `{res[0][2][:24]}` / `{res[1][2][:24]}`", None))

    log("bench: 4. memory with 50 idle sessions")
    notes = []
    for tls in (False, True):
        if tls:
            dovecot.start(tls=True)
        label = "after STARTTLS" if tls else "plaintext"
        m_us = measure_idle(ours, tls, 50)
        m_them = measure_idle(dovecot, tls, 50)
        them_unshared = m_them["unshared"] + (m_them["relay_unshared"] * m_them["relays"] / 50)
        them_hwm = m_them["hwm"] + (m_them["relay_hwm"] if m_them["relays"] else 0)
        rows.append(("4", f"unshared memory per connection, {label}", f"{m_us['unshared']:.0f} kB",
                     f"{them_unshared:.0f} kB", m_us["unshared"] / them_unshared, "below Dovecot",
                     m_us["unshared"] < them_unshared))
        rows.append(("4", f"peak RSS per connection, {label}", f"{m_us['hwm']:.0f} kB", f"{them_hwm:.0f} kB",
                     m_us["hwm"] / them_hwm, "", None))
        notes.append(
            f"{label}: managesieved process {m_us['unshared']:.0f} kB unshared, socat's relay process "
            f"{m_us['relay_unshared']:.0f} kB more (inetd or a systemd socket unit have none); whole-tree "
            f"growth per connection: ours {m_us['delta']:.0f} kB with socat, Dovecot {m_them['delta']:.0f} kB "
            f"(managesieve {m_them['unshared']:.0f} kB + {m_them['relays']} login process(es) left for 50 "
            f"sessions, {m_them['relay_unshared']:.0f} kB each).")
    return notes, (c_ms, them_ms, tls_ms)


def tls_section(setup, ours, dovecot, q, rows, notes, exec_ms=None):
    """Section 7: the configuration most servers run (`ssl = yes` and a certificate), next to Dovecot's."""
    log("bench: 7. the TLS configuration (ssl = yes and a certificate), next to Dovecot's")
    if exec_ms is None:
        c_ms, _, them_ms, _, tls_ms = measure_exec(setup, ours, dovecot, rounds=3 if q else 5, n=30 if q else 200)
    else:
        c_ms, them_ms, tls_ms = exec_ms
    rows.append(("7", "exec → first byte on pipes, `ssl = yes`", fmt(tls_ms, "ms", 3), fmt(them_ms, "ms", 3),
                 tls_ms / them_ms, f"≤ 1.5× C ({c_ms:.3f} ms): {tls_ms / c_ms:.2f}×", tls_ms <= 1.5 * c_ms))
    dovecot.start(tls=True)
    rows += measure_tls(setup, ours, dovecot, q, notes)


def render(rows):
    out = ["| # | measure | managesieved | Dovecot | ours/Dovecot | target | met |",
           "|---|---|---:|---:|---:|---|---|"]
    for num, what, us, them, ratio, target, met in rows:
        mark = "" if met is None else ("yes" if met else "**no**")
        out.append(f"| {num} | {what} | {us} | {them} | {ratio:.2f}× | {target} | {mark} |")
    return "\n".join(out)


def write_results(path, info, table, notes, elapsed, quick):
    keep = ""
    if os.path.exists(path):  # the hand-written analysis below the marker survives a re-run
        with open(path) as f:
            text = f.read()
        marker = "<!-- analysis -->"
        if marker in text:
            keep = text[text.index(marker):]
    with open(path, "w") as f:
        f.write(f"""# Benchmarks: managesieved next to Dovecot/Pigeonhole

Written by `make bench` (bench/bench.py){" — quick run" if quick else ""}. Each figure is the median of
repeated, interleaved runs (ours, theirs, ours, …) so that load changes on a shared machine hit both alike.

- date: {info['date']} — {elapsed:.0f} s of measurements; load average at the end: {info['load']}
- machine: {info['cpu']}, {info['ram']} RAM, {info['os']}
- managesieved: git {info['commit']}, built with {info['swift']} (fully static release binaries)
- Dovecot: {info['dovecot']}, Debian packages dovecot-managesieved and dovecot-sieve

{table}

- {chr(10).join("- " + n for n in notes)[2:]}

How each figure is taken: see bench/README.md.

{keep}""")


if __name__ == "__main__":
    main()
