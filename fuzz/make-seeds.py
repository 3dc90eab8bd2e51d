#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/ (run from the repository root): the client side of every golden
transcript (whole, and with a chunking prefix), hand-made hostile protocol cases, and a fixed sample of 150
scripts from the Sieve verdict corpus. The first byte of a protocol seed selects its chunk sizes (FuzzProtocol)."""
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, "Tests/Integration")
from test_golden import unescape, expand_macros
# The sample depends on the verdict corpus at the time: regenerating replaces the old seeds.
shutil.rmtree("fuzz/corpus", ignore_errors=True)
out = Path("fuzz/corpus/protocol")
out.mkdir(parents=True, exist_ok=True)
for f in sorted(Path("Tests/Integration/golden").glob("*.session")):
    data = bytearray()
    for line in f.read_text().splitlines():
        if line.startswith("C: "):
            data += unescape(expand_macros(line[3:])) + b"\r\n"
        elif line.startswith("C~ "):
            data += unescape(expand_macros(line[3:]))
    # first byte: chunking selector (0 = whole input only)
    (out / (f.stem + ".bin")).write_bytes(b"\x00" + bytes(data))
    (out / (f.stem + "-chunked.bin")).write_bytes(b"\x03\x00\x06\x10" + bytes(data))
extra = {
 "literal-huge.bin": b"\x00PUTSCRIPT \"a\" {99999999999999999999+}\r\nkeep;\r\n",
 "literal-negative.bin": b"\x00PUTSCRIPT \"a\" {-1+}\r\n",
 "literal-sync.bin": b"\x00PUTSCRIPT {1}\r\na {5}\r\nkeep;\r\nLOGOUT\r\n",
 "quoted-nul-cr.bin": b"\x00GETSCRIPT \"a\x00b\"\r\nGETSCRIPT \"a\rb\"\r\nNOOP \"x\\\\y\\\"\"\r\n",
 "overlong.bin": b"\x02\x05\x50NOOP \"" + b"x" * 300 + b"\"\r\nNOOP\r\n",
 "sasl.bin": b"\x00AUTHENTICATE \"PLAIN\"\r\n{4+}\r\nAAAA\r\nAUTHENTICATE \"PLAIN\"\r\n\"*\"\r\n",
 "havespace.bin": b"\x00HAVESPACE \"x\" 4294967295\r\nHAVESPACE \"x\" 4294967296\r\nHAVESPACE {1+}\r\nx 0\r\n",
 "rename.bin": b"\x00RENAMESCRIPT \"a\" {3+}\r\nb\xc3\xa4\r\nDELETESCRIPT \"\"\r\nSETACTIVE \"\"\r\n",
}
for k, v in extra.items(): (out / k).write_bytes(v)
cout = Path("fuzz/corpus/compiler"); cout.mkdir(parents=True, exist_ok=True)
scripts = sorted(Path("Tests/SieveCompilerTests/Corpus").rglob("*.sieve"))
random.seed(7)
sample = random.sample(scripts, 150)
for s in sample:
    name = s.parent.name + "_" + s.name
    (cout / name).write_bytes(s.read_bytes())
