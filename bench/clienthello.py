#!/usr/bin/env python3
"""How soon a real TLS client's ClientHello arrives after the server's accept(): the wait an implicit-TLS
sniff on a STARTTLS port would have to cover. Listens on loopback, runs each client N times, and prints
the median, 90th percentile and maximum from accept() to the first byte (and whether it was a TLS record).

usage: bench/clienthello.py [N]      (clients: openssl s_client, Python's ssl module)
"""
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time


def measure(client, n):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    delays, first = [], set()
    for _ in range(n):
        proc = client(port)
        conn, _ = listener.accept()
        accepted = time.monotonic()
        data = conn.recv(1)
        delays.append((time.monotonic() - accepted) * 1000)
        first.add(data[:1])
        conn.close()
        proc()
    listener.close()
    delays.sort()
    return delays, first


def s_client(port):
    p = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-quiet"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return lambda: p.wait(timeout=10)


def python_ssl(port):
    def run():
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        try:
            with socket.create_connection(("127.0.0.1", port)) as s:
                ctx.wrap_socket(s)
        except OSError:
            pass
    t = threading.Thread(target=run)
    t.start()
    return lambda: t.join(10)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"accept -> first ClientHello byte, {n} connections each, load average {load}")
    for name, client in (("openssl s_client", s_client), ("Python ssl", python_ssl)):
        d, first = measure(client, n)
        print(f"{name:18} median {statistics.median(d):6.2f} ms   p90 {d[int(len(d) * 0.9) - 1]:6.2f} ms   "
              f"max {d[-1]:6.2f} ms   first byte {sorted(first)}")


if __name__ == "__main__":
    main()
