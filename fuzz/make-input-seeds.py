#!/usr/bin/env python3
"""Regenerates the hand-made seed corpora of the input-parser fuzz targets (run from the repository root):
fuzz/corpus/{sasl,proxyheader,config,passwd,transcript,regex}/. fuzz/make-seeds.py makes the protocol and
compiler seeds. Files a fuzzer found and that were added by hand (regression-*) are kept."""
import shutil
import struct
from pathlib import Path

def write(target, seeds):
    out = Path("fuzz/corpus") / target
    if out.exists():
        for f in out.iterdir():
            if not f.name.startswith("regression-"):
                f.unlink()
    out.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (out / name).write_bytes(data if isinstance(data, bytes) else data.encode())

# SASL: byte 0 mechanism (0 PLAIN, 1 LOGIN, 2 SCRAM-SHA-1, 3 -PLUS, 4 SCRAM-SHA-256, 5 -PLUS, 6 EXTERNAL),
# byte 1 flags (1 TLS, 2 channel bindings, 4 certificate user, 8 empty initial response sent), 0xFF separates.
F = b"\xff"
write("sasl", {
    "plain-ok": b"\x00\x00" + b"\x00user\x00pencil",
    "plain-authzid": b"\x00\x01" + b"other\x00user\x00pencil",
    "plain-challenge": b"\x00\x08" + F + b"user\x00user\x00pencil",
    "plain-bad": b"\x00\x00" + b"\x00nobody\x00x",
    "login-ok": b"\x01\x00" + F + b"user" + F + b"pencil",
    "login-initial": b"\x01\x00" + b"user" + F + b"pencil",
    "scram1-first": b"\x02\x00" + b"n,,n=sha1,r=fyko+d2lbbFgONRv9qkxdawL" + F + b"c=biws,r=%,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    "scram256-first": b"\x04\x00" + b"n,,n=scram,r=rOprNGfwEbeRWgbNEkqO" + F + b"c=biws,r=%,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    "scram256-authzid": b"\x04\x00" + b"n,a=user,n=scram,r=abc" + F + b"c=bixhPXVzZXIs,r=%,p=AAAA",
    "scram256-y": b"\x04\x01" + b"y,,n=user,r=abc" + F + b"c=eSws,r=%,p=AAAA",
    "scram256-plus": b"\x05\x03" + b"p=tls-exporter,,n=scram,r=abc" + F + b"c=cD10bHMtZXhwb3J0ZXIsLEJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC,r=%,p=AAAA",
    "scram256-plus-endpoint": b"\x05\x03" + b"p=tls-server-end-point,,n=user,r=abc" + F + b"c=biws,r=%,p=AAAA",
    "scram-saslname": b"\x04\x00" + b"n,,n=a=3Db=2Cc,r=x,ext=1" + F + b"c=biws,r=%,p=AAAA,x=1",
    "scram-no-initial": b"\x04\x00" + F + b"n,,n=scram,r=abc" + F + b"c=biws,r=%,p=AAAA",
    "external-ok": b"\x06\x05" + b"",
    "external-authzid": b"\x06\x05" + b"user",
    "external-other": b"\x06\x05" + b"other",
    "external-nocert": b"\x06\x01" + F + b"user",
    "base64": b"dXNlcgBwZW5jaWw=",
    "base64-bad": b"dXNlcgBwZW5jaWx=",
})

def v2(command, family, addresses, tlvs=b""):
    body = addresses + tlvs
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x20 | command, family]) + struct.pack(">H", len(body)) + body
ipv4 = bytes([192, 0, 2, 1, 198, 51, 100, 2]) + struct.pack(">HH", 51000, 4190)
ipv6 = bytes(range(16)) + bytes(range(16, 32)) + struct.pack(">HH", 51000, 4190)
write("proxyheader", {
    "v1-tcp4": b"PROXY TCP4 192.0.2.1 198.51.100.2 51000 4190\r\nCAPABILITY\r\n",
    "v1-tcp6": b"PROXY TCP6 2001:db8::1 2001:db8::2 51000 4190\r\n",
    "v1-unknown": b"PROXY UNKNOWN\r\n",
    "v1-unknown-long": b"PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n",
    "v1-bad-port": b"PROXY TCP4 192.0.2.1 198.51.100.2 99999 4190\r\n",
    "v1-partial": b"PROXY TCP4 192.0.2.1",
    "v2-ipv4": v2(1, 0x11, ipv4),
    "v2-ipv6": v2(1, 0x21, ipv6),
    "v2-local": v2(0, 0x00, b""),
    "v2-tlv": v2(1, 0x11, ipv4, b"\x01\x00\x08managesv" + b"\xe0\x00\x01\x05" + b"\x04\x00\x00"),
    "v2-unix": v2(1, 0x31, b"/tmp/a".ljust(108, b"\0") + b"/tmp/b".ljust(108, b"\0")),
    "v2-short": v2(1, 0x11, ipv4[:6]),
    "v2-truncated": v2(1, 0x21, ipv6)[:30],
    "not-proxy": b"CAPABILITY\r\n",
})

write("config", {
    "contrib": Path("contrib/managesieved.conf").read_bytes(),
    "minimal": "passwd_file = /etc/managesieved/passwd\nsieve_storage = ~/sieve\nsieve = ~/.dovecot.sieve\n",
    "tls": "ssl = required\nssl_cert = </etc/ssl/cert.pem\nssl_key = </etc/ssl/key.pem\nssl_ca = /etc/ssl/ca.pem\n"
           "ssl_client_ca_file = /etc/ssl/backend-ca.pem\nssl_verify_client_cert = yes\n"
           "ssl_cert_username_field = emailAddress\nssl_min_protocol = TLSv1.3\nssl_cipher_list = HIGH:!aNULL\n",
    "sizes": "sieve_max_script_size = 1M\nsieve_quota_max_storage = 10G\nauth_failure_delay = 2 secs\n"
             "managesieve_idle_timeout = 30 mins\nsieve_lock_timeout = 500ms\nmanagesieve_max_line_length = 64k\n",
    "quoting": "managesieve_implementation_string = \"My \\\"server\\\" # not a comment\"\n"
               "sieve_extensions = +vnd.dovecot.debug -enotify\n# comment\n  \n\tlog_path = /var/log/x # trailing\n",
    "proxy": "proxy_user = relay\nhaproxy_trusted_networks = 10.0.0.0/8 ::1 192.0.2.1/32\n"
             "login_trusted_networks = 127.0.0.0/8 fe80::/10\nrawlog_dir = /var/log/rawlog\nrawlog_users = a b\n"
             "rawlog_peers = 192.0.2.0/24\nrawlog_max_literal = 4k\n",
    "dovecot-blocks": "protocols = sieve\nservice managesieve-login {\n  inet_listener sieve {\n    port = 4190\n  }\n}\n"
                      "plugin {\n  sieve = file:~/sieve;active=~/.dovecot.sieve\n}\n",
    "errors": "ssl = maybe\nfirst_valid_uid = -1\nunknown_key = 1\nno equals sign\n",
})

write("passwd", {
    "plain": "user:{PLAIN}pencil:1500:1500::/home/user::\n",
    "full": "alice:{SHA512-CRYPT}$6$salt$hash:1501:1501:Alice A:/home/alice:/bin/false:userdb_quota_rule=*:storage=1G "
            "sieve_max_script_size=1M nologin reason=gone\r\n# comment\n\n   \nbob:$2y$05$abcdefghijklmnopqrstuu:1502:1502\n",
    "proxy": "p1:{PLAIN}x:1500:1500::::proxy host=10.0.0.2 port=4190 starttls=yes proxy_timeout=10\n"
             "p2:{PLAIN}x:1500:1500::::proxy_maybe host=127.0.0.1 port=4190 ssl=any-cert destuser=other\n"
             "p3:{PLAIN}x:1500:1500::::proxy host=[2001:db8::2] port=0 master=admin pass=secret\n"
             "p4:{PLAIN}x:1500:1500::::proxy port=99999 ssl=maybe proxy_timeout=-1 master=m\n"
             "r1:{PLAIN}x:1500:1500::::host=sieve.example.org referral=yes\n",
    "groups": "g:{PLAIN}x:1500:1500::::groups=1001,1002\nh:{PLAIN}x:1500:1500::::groups=0,,x\n",
    "bad": "nouid:{PLAIN}x::1500\n:{PLAIN}x:1:1\nsp ace:{PLAIN}x:1:1\nshort:x\nuser:{PLAIN}dup:1500:1500\nuser:again:1:1\n",
    "scram": "scram:{SCRAM-SHA-256}4096,wE+7fBBwXM6GfVUsrbA4cw==,/H6tJL1PQHQIL6Cfp2lpKxKxwkvp990TkyEYpcaTdEA=,"
             "LOizJ6NYU8tHBlY1nM2vGBfyxmUeYPb5v0rt4dMoX8I=:1500:1500::/home/scram\n",
})

write("transcript", {
    "session": "12:00:00.000 *: session start 2026-12-06 peer=192.0.2.1:51000 pid=42\n"
               "12:00:00.002 S: \"IMPLEMENTATION\" \"managesieved\"\n12:00:00.002 S: OK\n"
               "12:00:00.010 C: AUTHENTICATE \"PLAIN\" <redacted 20 bytes>\n12:00:00.022 S: OK \"Logged in.\"\n"
               "12:00:00.030 C: PUTSCRIPT \"a\" {31+}\n12:00:00.030 C+ 31: require \"vacation\";\\r\\nvacation x\n"
               "12:00:00.031 S: NO {49}\n12:00:00.031 S+ 49: line 2: error\\x00\\xff\\\\\n"
               "12:00:00.040 C: LOGOUT\n12:00:00.040 S: OK \"Logout completed.\"\n12:00:00.041 *: literal truncated\n",
    "escapes": "23:59:59.999 C: \\x00\\x01\\t\\r\\n\\\\\\xc3\\xa4 \xc3\xa4\n00:00:00.000 S+ 999999999999: x\n",
    "bad": "12:00:00.00 C: x\n12:00:00.000 X: y\n12:00:00.000 *+ 3: z\n12:00:00.000 C+ : x\n99:99:99.999 C:\n",
})

write("regex", {
    "simple": "^Subject: [A-Z]+ (urgent|important)$",
    "classes": "[[:alpha:]][[:digit:]]{2,5}[^]a-z-]",
    "escapes": "a\\.b\\[c\\]\\(d\\)\\{e\\}\\*\\+\\?\\|\\^\\$\\/",
    "nested": "((((a|b)*c)+d)?e){1,3}",
    "bounds": "a{0,255}b{7}c{3,}",
    "gnu": "\\<word\\>\\w+\\s\\b\\`x\\'",
    "bad-range": "[z-a]",
    "bad-interval": "a{3,2}",
    "empty-group": "()|a||b",
    "collating": "[[.a.][=e=]]",
    "backref": "(a)\\1",
    "utf8": "caf\u00e9|\u20ac[\u00e9-\u00ff]",
    "quantifier-start": "*a+?",
    "brace-literal": "a{b}c{",
})
