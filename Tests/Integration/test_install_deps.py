"""tools/install-test-deps, the one list of what the tests need: installs only what is missing as root,
names it and stops otherwise. dpkg-query, apt-get, pip and id are replaced by recording stand-ins so
the test sees exactly what the script would run without touching the machine."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SCRIPT = ROOT / "tools" / "install-test-deps"


def listed() -> tuple[list[str], list[str]]:
    out = subprocess.run([SCRIPT, "--list"], capture_output=True, text=True, check=True, timeout=30).stdout
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    return lines["apt"].split(), lines["pip"].split()


def shims(tmp_path: Path, uid: int, installed: list[str]) -> tuple[dict, Path]:
    """A PATH with recording dpkg-query/apt-get/id and a PYTHON whose `-m pip` records too."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    log.touch()
    (tmp_path / "installed").write_text("\n".join(installed) + "\n")
    scripts = {
        "dpkg-query": f"""#!/bin/sh
shift 2
for p in "$@"; do grep -qx "$p" {tmp_path}/installed && echo "$p ii "; done
exit 0
""",
        "apt-get": f'#!/bin/sh\necho "apt-get $*" >> {log}\n',
        "id": f"#!/bin/sh\necho {uid}\n",
        "python": f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "pip $*" >> {log}; exit 0; fi
exec {sys.executable} "$@"
""",
    }
    for name, text in scripts.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", PYTHON=str(bin_dir / "python"))
    return env, log


def test_everything_present_is_a_no_op(tmp_path):
    apt, _ = listed()
    env, log = shims(tmp_path, 0, apt)
    result = subprocess.run([SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = log.read_text()
    assert calls == ""


def test_non_root_names_what_is_missing_and_stops(tmp_path):
    apt, _ = listed()
    missing = ["mandoc", "dovecot-core", "socat"]
    env, log = shims(tmp_path, 1000, [p for p in apt if p not in missing])
    result = subprocess.run([SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = [line.strip() for line in result.stderr.splitlines()]
    install = [line for line in lines if line.startswith("apt-get install")]
    assert install == ["apt-get install --no-install-recommends " + " ".join(p for p in apt if p in missing)]
    assert log.read_text() == ""  # nothing run


def test_root_installs_only_the_missing(tmp_path):
    apt, _ = listed()
    env, log = shims(tmp_path, 0, [p for p in apt if p != "haproxy"])
    result = subprocess.run([SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "apt-get update -qq"
    assert calls[1] == "apt-get install -y -qq --no-install-recommends haproxy"


def test_ci_and_make_test_use_the_one_list():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "tools/install-test-deps" in ci and "apt-get" not in ci and "pip install" not in ci
    # Run as its own make (not a sub-make of the `make test` that may be running this file): a sub-make
    # prints "Entering directory" lines first.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    make = subprocess.run(["make", "--no-print-directory", "-n", "test"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=env).stdout
    assert make.splitlines()[0].endswith("tools/install-test-deps")
