"""Section 6 of the bench, "cost as work grows": the same measurement at growing sizes, for managesieved and
Dovecot side by side, so that a cost that grows with the host shows up.

- users: a passwd-file of 10 / 10^4 / 10^5 / 10^6 users (the same file for both servers; ours reads it through
  its index, made with `managesievectl passwd-index` first; Dovecot's auth process parses it once, warmed up
  by one login). Greeting (connect → greeting's OK) and PLAIN login (AUTHENTICATE → OK) for the user listed
  first, in the middle and last; ours also with ssl = yes (greeting, then login after STARTTLS).
- scripts: a user with 10 / 1,000 / 10,000 scripts: LISTSCRIPTS, and PUTSCRIPT replacing one of them with
  both quotas on (sieve_quota_max_scripts and sieve_quota_max_storage).
- concurrency: whole sessions/s (bench/client.c) with 1 / 8 / 64 / 200 concurrent clients.

BENCH_ONLY=scale runs only this section; BENCH_SCALE_USERS=10,10000 limits the passwd sizes (a smoke run);
BENCH_SCALE_PARTS=scripts (a comma list of users, scripts, concurrency) runs only those parts.
"""
import os
import socket
import subprocess
import time

B = None  # bench.py's module (its constants, helpers and the list of processes to stop), set by rows()

USER_SIZES = (10, 10_000, 100_000, 1_000_000)
SCRIPT_COUNTS = (10, 1_000, 10_000)
CONCURRENCY = (1, 8, 64, 200)


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


class Timed:
    """A minimal client that times the greeting and a PLAIN login on one connection."""

    def __init__(self, port):
        self.t0 = time.perf_counter()
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.until_status()
        self.greeting = time.perf_counter() - self.t0

    def until_status(self):
        # Only the last complete line of what has arrived is looked at: one command is in flight at a time, so
        # its status line is the last one. Going through the response line by line in Python cost about 1 µs
        # a line, milliseconds of client time for a 1,000-line LISTSCRIPTS that both servers' figures carried
        # (and the split that did it copied the rest of the buffer per line, quadratic in 10,000 lines).
        while True:
            end = self.buf.rfind(b"\r\n")
            if end >= 0:
                start = self.buf.rfind(b"\r\n", 0, end)
                line = bytes(self.buf[start + 2 if start >= 0 else 0:end])
                if line[:2] in (b"OK", b"NO") or line[:3] == b"BYE":
                    del self.buf[:end + 2]
                    return line
            data = self.sock.recv(262144)
            if not data:
                raise RuntimeError("connection closed")
            self.buf += data

    def command(self, data, expect=b"OK"):
        self.sock.sendall(data)
        line = self.until_status()
        if expect and not line.startswith(expect):
            raise RuntimeError(f"{data[:20]!r}: {line!r}")
        return line

    def starttls(self):
        import ssl
        self.command(b"STARTTLS\r\n")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock)
        self.buf = bytearray()
        self.until_status()

    def login(self, user, password):
        import base64
        token = base64.b64encode(f"\0{user}\0{password}".encode())
        t = time.perf_counter()
        self.command(b'AUTHENTICATE "PLAIN" "' + token + b'"\r\n')
        return time.perf_counter() - t

    def close(self):
        try:
            self.sock.sendall(b"LOGOUT\r\n")
            self.until_status()
        except (OSError, RuntimeError):
            pass
        self.sock.close()


def users_file(setup, count, hash_field):
    """A passwd-file of `count` users: `first`, `middle` and `last` (real homes, real password) among fillers."""
    path = os.path.join(setup.tmp, f"scale-passwd-{count}")
    if os.path.exists(path):
        return path
    homes = os.path.join(setup.tmp, "scale-homes")
    os.makedirs(homes, exist_ok=True)
    os.chmod(homes, 0o755)
    uid = B.UID
    named = {}
    for user in ("first", "middle", "last"):
        home = os.path.join(homes, user)
        os.makedirs(home, exist_ok=True)
        os.chown(home, uid, uid)
        named[user] = f"{user}:{hash_field}:{uid}:{uid}::{home}::\n"
    fillers = max(0, count - 3)
    with open(path, "w") as f:
        f.write(named["first"])
        block = []
        for i in range(fillers):
            if i == fillers // 2:
                block.append(named["middle"])
            # A real SHA512-CRYPT hash's length, never verified.
            block.append(f"user{i}:{hash_field[:-8]}{i:08d}:{uid}:{uid}::/nonexistent::\n")
            if len(block) >= 10_000:
                f.writelines(block)
                block = []
        if fillers == 0:
            block.append(named["middle"])
        f.writelines(block)
        f.write(named["last"])
    return path


def our_listener(setup, conf_text, name):
    """socat on a free loopback port exec'ing managesieved with this configuration; returns (port, pid)."""
    conf = os.path.join(setup.tmp, f"scale-{name}.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    port = B.free_port()
    p = subprocess.Popen(
        ["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,backlog=256,nodelay",
         f"EXEC:{setup.bin}/managesieved -c {conf}"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    B.children.append(p)
    B.wait_port(port)
    return port, p


def stop_listener(p):
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()


def time_connection(port, user, tls, greeting, login):
    """One connection: its greeting's time appended to `greeting`, `user`'s PLAIN login's to `login[user]`."""
    c = Timed(port)
    greeting.append(c.greeting)
    if tls:
        c.starttls()
    login[user].append(c.login(user, B.PASSWORD))
    c.close()


def medians(greeting, login):
    """(greeting, {user: login}) medians in ms."""
    return _median(greeting) * 1000, {u: _median(v) * 1000 for u, v in login.items()}


def time_logins(port, rounds, tls=False):
    """Medians (ms) over `rounds` connections of: greeting, and login for first/middle/last."""
    greeting, login = [], {"first": [], "middle": [], "last": []}
    for r in range(rounds):
        for user in ("first", "middle", "last"):
            time_connection(port, user, tls, greeting, login)
    return medians(greeting, login)


def measure_users(setup, ours, dovecot, rounds, hash_field, sizes):
    """{size: {"us": (greeting, logins), "us_tls": …, "them": …}}

    Ours at every size take turns connection by connection (one listener per size and configuration, all
    started first), so that a load that comes and goes, such as the write-back of the 173 MB file just
    written, falls on every size alike: the target compares each size with the 10-user one. Dovecot reads one
    passwd-file per instance, so its sizes follow each other."""
    results = {size: {} for size in sizes}
    base_conf = open(ours.conf[False]).read()
    tls_conf = open(ours.conf[True]).read()
    paths = {size: users_file(setup, size, hash_field) for size in sizes}
    os.sync()
    listeners = []
    try:
        for size in sizes:
            for key, text in (("us", base_conf), ("us_tls", tls_conf)):
                text = text.replace(f"passwd_file = {ours.passwd}\n", f"passwd_file = {paths[size]}\n")
                port, p = our_listener(setup, text, f"users-{size}-{key}")
                listeners.append((size, key, port, p))
                # The first connection after the file was written builds the index (as after any edit).
                warm = Timed(port)
                warm.login("last", B.PASSWORD)
                warm.close()
        os.sync()
        samples = {(size, key): ([], {"first": [], "middle": [], "last": []}) for size, key, _, _ in listeners}
        for r in range(rounds):
            for size, key, port, _ in listeners:
                for user in ("first", "middle", "last"):
                    time_connection(port, user, key == "us_tls", *samples[(size, key)])
        for (size, key), (greeting, login) in samples.items():
            results[size][key] = medians(greeting, login)
    finally:
        for _, _, _, p in listeners:
            stop_listener(p)
    for size in sizes:
        saved = dovecot.passwd
        dovecot.passwd = paths[size]
        try:
            dovecot.start(tls=False)
            try:
                warm = Timed(dovecot.port[False])
                warm.login("last", B.PASSWORD)  # Dovecot's auth process parses the file on first use
                warm.close()
                results[size]["them"] = time_logins(dovecot.port[False], rounds)
            except (RuntimeError, OSError) as error:
                # Shown as "—" with the reason in the log, not a failed bench.
                B.log(f"bench: Dovecot with {size:,} users: {error}")
                results[size]["them"] = None
        finally:
            dovecot.passwd = saved
            dovecot.start(tls=False)
    return results


def script_home(setup, server_name, count, uid):
    home = os.path.join(setup.tmp, f"scale-scripts-{server_name}-{count}")
    storage = os.path.join(home, "sieve")
    os.makedirs(storage, exist_ok=True)
    for i in range(count):
        with open(os.path.join(storage, f"script{i:05d}.sieve"), "w") as f:
            f.write(f"# script {i}\nkeep;\n")
    for root, dirs, files in os.walk(home):
        os.chown(root, uid, uid)
        for name in files:
            os.chown(os.path.join(root, name), uid, uid)
    os.chmod(setup.tmp, 0o755)
    return home


def time_scripts(ports, user, rounds):
    """Medians (ms) per port: LISTSCRIPTS, and PUTSCRIPT replacing script00000 (quota on). The servers take turns
    command by command, so that a load that comes and goes on the machine falls on both alike."""
    listing, upload = [[] for _ in ports], [[] for _ in ports]
    clients = []
    for port in ports:
        c = Timed(port)
        c.login(user, B.PASSWORD)
        clients.append(c)
    script = b"# replaced\nkeep;\n"
    for r in range(rounds):
        for i, c in enumerate(clients):
            t = time.perf_counter()
            c.command(b"LISTSCRIPTS\r\n")
            listing[i].append(time.perf_counter() - t)
        for i, c in enumerate(clients):
            t = time.perf_counter()
            c.command(b'PUTSCRIPT "script00000" {%d+}\r\n' % len(script) + script + b"\r\n")
            upload[i].append(time.perf_counter() - t)
    for c in clients:
        c.close()
    return [(_median(listing[i]) * 1000, _median(upload[i]) * 1000) for i in range(len(ports))]


def measure_scripts(setup, ours, dovecot, rounds, hash_field):
    """{count: {"us": (list, put), "them": (list, put)}}"""
    uid = B.UID
    lines = {"ours": [], "dovecot": []}
    for count in SCRIPT_COUNTS:
        for server in ("ours", "dovecot"):
            home = script_home(setup, server, count, uid)
            lines[server].append(f"scripts{count}:{hash_field}:{uid}:{uid}::{home}::\n")
    paths = {}
    for server in ("ours", "dovecot"):
        paths[server] = os.path.join(setup.tmp, f"scale-scripts-passwd-{server}")
        with open(paths[server], "w") as f:
            f.writelines(lines[server])
    quota = "sieve_quota_max_scripts = 100000\nsieve_quota_max_storage = 1G\n"
    text = open(ours.conf[False]).read().replace(f"passwd_file = {ours.passwd}\n", f"passwd_file = {paths['ours']}\n")
    port, p = our_listener(setup, text + quota, "scripts")
    results = {}
    saved = dovecot.passwd, dovecot.extra
    dovecot.passwd, dovecot.extra = paths["dovecot"], "  sieve_quota_max_scripts = 100000\n  sieve_quota_max_storage = 1G\n"
    try:
        dovecot.start(tls=False)
        for count in SCRIPT_COUNTS:
            us, them = time_scripts((port, dovecot.port[False]), f"scripts{count}", rounds)
            results[count] = {"us": us, "them": them}
    finally:
        stop_listener(p)
        dovecot.passwd, dovecot.extra = saved
        dovecot.start(tls=False)
    return results


def concurrency_users(setup, servers, hash_field):
    """One user per concurrent client (conc0 … conc199, homes of their own) added to both servers' passwd-files:
    sessions of one user serialize on its storage lock, and 200 of them at once ran into TRYLATER."""
    uid = B.UID
    base = os.path.join(setup.tmp, "scale-conc-homes")
    for server in servers:
        lines = []
        for j in range(max(CONCURRENCY)):
            home = os.path.join(base, server.name, f"conc{j}")
            os.makedirs(home, exist_ok=True)
            os.chown(home, uid, uid)
            lines.append(f"conc{j}:{hash_field}:{uid}:{uid}::{home}::\n")
        for d in (base, os.path.join(base, server.name)):
            os.chmod(d, 0o755)
        with open(server.passwd, "a") as f:
            f.writelines(lines)


def measure_concurrency(setup, ours, dovecot, rounds, n, client):
    """{jobs: (ours sessions/s, Dovecot sessions/s)}"""
    concurrency_users(setup, (ours, dovecot), setup.hash)
    results = {}
    for jobs in CONCURRENCY:
        us, them = [], []
        per_job = max(1, n // jobs) if jobs > 8 else n
        failures = []
        for _ in range(rounds):
            for server, acc in ((ours, us), (dovecot, them)):
                try:
                    r = client(setup, "session", "127.0.0.1", server.port[False], "conc%d", B.PASSWORD,
                               setup.scripts["2K"], per_job, jobs)
                    acc.append(float(r["per_second"]))
                except subprocess.CalledProcessError as error:
                    first = ((error.stderr or "").strip().splitlines() or ["?"])[0]
                    failures.append(f"{server.name}: {first[:120]}")
        results[jobs] = (_median(us) if us else 0.0, _median(them) if them else 0.0, failures)
    return results


def rows(setup, ours, dovecot, quick, client, fmt, bench):
    """The section's table rows, in bench.py's row format."""
    global B
    B = bench
    log = bench.log
    out = []
    hash_field = setup.hash
    sizes = USER_SIZES
    if os.environ.get("BENCH_SCALE_USERS"):
        sizes = tuple(int(s) for s in os.environ["BENCH_SCALE_USERS"].split(","))
    rounds = 3 if quick else 15
    parts = os.environ.get("BENCH_SCALE_PARTS", "users,scripts,concurrency").split(",")
    if "users" in parts:
        # More rounds than the other parts: each login is compared with the 10-user one user by user, and a
        # median of 15 connections moved by up to 0.5 ms (a third) between runs on the shared VM.
        out += user_rows(setup, ours, dovecot, 3 if quick else 40, hash_field, sizes, fmt, log)
    if "scripts" in parts:
        out += script_rows(setup, ours, dovecot, rounds, hash_field, fmt, log)
    if "concurrency" in parts:
        out += concurrency_rows(setup, ours, dovecot, quick, client, fmt, log)
    return out


def user_rows(setup, ours, dovecot, rounds, hash_field, sizes, fmt, log):
    out = []
    log("bench: 6. cost as work grows: users")
    users = measure_users(setup, ours, dovecot, rounds, hash_field, sizes)
    base = users[sizes[0]]
    for size in sizes:
        entry = users[size]
        for key, label in (("us", "plain"), ("us_tls", "ssl = yes")):
            greeting, logins = entry[key]
            b_greeting, b_logins = base[key]
            them = entry["them"] if key == "us" else None
            worst = max(logins[u] / b_logins[u] for u in logins)
            met = None if size == sizes[0] else (greeting <= 1.2 * b_greeting and worst <= 1.2)
            out.append(("6", f"{size:,} users, {label}: greeting", fmt(greeting, "ms", 2),
                        fmt(them[0], "ms", 2) if them else "—", greeting / them[0] if them else 0.0,
                        f"≤ 1.2× {sizes[0]} users ({greeting / b_greeting:.2f}×)", met))
            shown = " / ".join(f"{logins[u]:.2f}" for u in ("first", "middle", "last"))
            theirs = " / ".join(f"{them[1][u]:.2f}" for u in ("first", "middle", "last")) if them else "—"
            out.append(("6", f"{size:,} users, {label}: PLAIN login first / middle / last (ms)", shown, theirs,
                        logins["last"] / them[1]["last"] if them else 0.0,
                        f"≤ 1.2× {sizes[0]} users (worst {worst:.2f}×)", met))
    return out


def script_rows(setup, ours, dovecot, rounds, hash_field, fmt, log):
    out = []
    log("bench: 6. cost as work grows: scripts")
    scripts = measure_scripts(setup, ours, dovecot, rounds, hash_field)
    for count in SCRIPT_COUNTS:
        (us_list, us_put), (them_list, them_put) = scripts[count]["us"], scripts[count]["them"]
        per = f" ({us_list / count * 1000:.1f} µs/script)" if count >= 1000 else ""
        out.append(("6", f"{count:,} scripts: LISTSCRIPTS", fmt(us_list, "ms", 2), fmt(them_list, "ms", 2),
                    us_list / them_list, ("≤ 0.5× Dovecot" if count == 1000 else "linear") + per,
                    us_list <= 0.5 * them_list if count == 1000 else None))
        per = f" ({us_put / count * 1000:.1f} µs/script)" if count >= 1000 else ""
        out.append(("6", f"{count:,} scripts: PUTSCRIPT replacing one, quota on", fmt(us_put, "ms", 2),
                    fmt(them_put, "ms", 2), us_put / them_put,
                    ("≤ Dovecot" if count == 1000 else "linear") + per, us_put <= them_put if count == 1000 else None))
    return out


def concurrency_rows(setup, ours, dovecot, quick, client, fmt, log):
    out = []
    log("bench: 6. cost as work grows: concurrency")
    conc = measure_concurrency(setup, ours, dovecot, 3 if quick else 5, 16 if quick else 64, client)
    for jobs in CONCURRENCY:
        us, them, failures = conc[jobs]
        if failures:
            log(f"bench: {jobs} concurrent clients: " + "; ".join(failures))
        out.append(("6", f"sessions/s, {jobs} concurrent clients", fmt(us, "/s", 0), fmt(them, "/s", 0),
                    us / them if them else 0.0, "all succeed" + (f" — failed: {failures[0]}" if failures else ""),
                    not failures if jobs == 200 else None))
    return out
