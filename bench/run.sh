#!/usr/bin/env bash
# `make bench`: managesieved next to Dovecot's Pigeonhole (see bench/README.md). Run as root.
#   BENCH_SCRATCH=.build-x  build folder (default .build)      BENCH_QUICK=1  fewer repetitions
#   BENCH_ONLY=scale        only section 6 (cost as work grows); BENCH_SCALE_USERS=10,10000 limits its sizes
#   BENCH_ONLY=tls          only section 7 (the TLS configuration's rows)
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${BENCH_SCRATCH:-.build}
SWIFT=${SWIFT:-swift}

if [ "$(id -u)" -ne 0 ]; then
    echo "bench: run as root (Dovecot's master and the servers' privilege drop need it)" >&2
    exit 1
fi

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v socat >/dev/null || need+=(socat)
command -v openssl >/dev/null || need+=(openssl)
command -v cc >/dev/null || need+=(gcc libc6-dev)
[ -x /usr/lib/dovecot/managesieve ] || need+=(dovecot-managesieved)
command -v sievec >/dev/null || need+=(dovecot-sieve)
if [ ${#need[@]} -gt 0 ]; then
    echo "bench: installing ${need[*]}" >&2
    # Installing Dovecot must not start the system's Dovecot: the bench runs its own instance.
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    rm -f "$policy"; trap - EXIT
fi

echo "bench: building release binaries in $SCRATCH" >&2
for product in managesieved managesievectl; do
    "$SWIFT" build --scratch-path "$SCRATCH" -c release --static-swift-stdlib -Xswiftc -static-executable \
        --product "$product" >&2
done

exec python3 bench/bench.py --bin "$SCRATCH/release" ${BENCH_QUICK:+--quick} "$@"
