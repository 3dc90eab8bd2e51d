# managesieved — build, test, demo, install.
#   make demo      build and serve a demo on 127.0.0.1:4190 (as root: installs what it needs)
#   make test      unit, golden, interoperability and launcher tests
#   make install   PREFIX=/usr/local DESTDIR= (static release binaries, man pages, example config)

SWIFT       ?= swift
PYTHON      ?= python3
PREFIX      ?= /usr/local
DESTDIR     ?=
SYSCONFDIR  ?= /etc
SBINDIR      = $(PREFIX)/sbin
MANDIR       = $(PREFIX)/share/man
DOCDIR       = $(PREFIX)/share/doc/managesieved
# The server is fully static: start-up is paid on every connection (see ARCHITECTURE.md).
STATIC_FLAGS = -c release --static-swift-stdlib -Xswiftc -static-executable
RELEASE_DIR  = .build/release
# managesievectl is fully static too (what `make bench` measures is what is installed: a dynamic build spent
# 6 M more instructions per run in the loader, twice the dry run itself), but links with other settings
# (its own order file), in its own scratch folder: sharing one made each product's build undo the other's,
# so `make install` after `make release` rebuilt both.
CTL_SCRATCH  = .build-ctl
CTL_RELEASE_DIR = $(CTL_SCRATCH)/release
DEBUG_DIR    = .build/debug
COMPLETIONS  = $(PREFIX)/share/bash-completion/completions/managesievectl \
               $(PREFIX)/share/zsh/site-functions/_managesievectl \
               $(PREFIX)/share/fish/vendor_completions.d/managesievectl.fish

.PHONY: all build release release-check test test-deps unit-test integration-test purity demo install uninstall clean bench fuzz fuzz-build sanitize format lint

all: release

build:
	$(SWIFT) build

release:
	$(SWIFT) build $(STATIC_FLAGS) --product managesieved
	$(SWIFT) build $(STATIC_FLAGS) --scratch-path $(CTL_SCRATCH) --product managesievectl

# The prerequisites first (as non-root this stops, naming the packages to install), then the suites.
test: test-deps
	$(MAKE) build purity lint release-check unit-test integration-test sanitize

test-deps:
	PYTHON=$(PYTHON) tools/install-test-deps

# The server as shipped (static, lld with tools/link-order.txt), and a check that the order file still
# matches it (ARCHITECTURE.md, "Start-up").
release-check:
	$(SWIFT) build $(STATIC_FLAGS) --product managesieved
	tools/check-link-order $(RELEASE_DIR)/managesieved

purity:
	tools/check-purity

lint:
	tools/check-format

unit-test:
	$(SWIFT) test

integration-test: build
	MANAGESIEVED_BIN_DIR=$(CURDIR)/$(DEBUG_DIR) $(PYTHON) -m pytest -q Tests/Integration

format:
	swift-format format --in-place --recursive --parallel Sources Tests fuzz Package.swift

demo: release
	tools/demo

# managesieved next to a private Dovecot: start-up, sessions, CHECKSCRIPT, memory (as root; < 10 min).
bench:
	bench/run.sh

# Installs what `make release` built (stripped), the pages, the recipes, managesievectl's shell completions
# and /etc/managesieved/ (for the passwd-file and TLS files); warns when the server's OpenSSL is older than
# the system's (it is linked in statically: README, "After an OpenSSL security release").
install: release
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/managesieved
	install -s -m 0755 $(RELEASE_DIR)/managesieved $(DESTDIR)$(SBINDIR)/
	install -s -m 0755 $(CTL_RELEASE_DIR)/managesievectl $(DESTDIR)$(SBINDIR)/
	@for file in $(COMPLETIONS); do \
		case $$file in *.fish) shell=fish;; */_*) shell=zsh;; *) shell=bash;; esac; \
		install -d $(DESTDIR)$$(dirname $$file); \
		$(CTL_RELEASE_DIR)/managesievectl --generate-completion-script $$shell > $(DESTDIR)$$file || exit 1; \
	done
	install -m 0644 man/managesieved.8 man/managesievectl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/managesieved.conf.5 $(DESTDIR)$(MANDIR)/man5/
	cp -R contrib/. $(DESTDIR)$(DOCDIR)/
	@# The recipes and pages name the default locations; point them at the ones installed to.
	sed -i -e 's|/usr/local/sbin/managesieved|$(SBINDIR)/managesieved|g' \
		-e 's|/etc/managesieved.conf|$(SYSCONFDIR)/managesieved.conf|g' \
		-e 's|/usr/local/share/doc/managesieved|$(DOCDIR)|g' \
		$(DESTDIR)$(DOCDIR)/inetd.conf $(DESTDIR)$(DOCDIR)/xinetd.d/managesieve \
		$(DESTDIR)$(DOCDIR)/systemd/managesieved@.service $(DESTDIR)$(DOCDIR)/managesieved.conf \
		$(DESTDIR)$(MANDIR)/man8/managesieved.8 $(DESTDIR)$(MANDIR)/man8/managesievectl.8 \
		$(DESTDIR)$(MANDIR)/man5/managesieved.conf.5
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/managesieved.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/managesieved.conf"; \
	else \
		install -m 0644 contrib/managesieved.conf $(DESTDIR)$(SYSCONFDIR)/managesieved.conf; \
	fi
	@linked=$$($(RELEASE_DIR)/managesieved --version | sed -n 's/^OpenSSL \([0-9][0-9.]*\).*/\1/p'); \
	system=$$(openssl version 2>/dev/null | sed -n 's/^OpenSSL \([0-9][0-9.]*\).*/\1/p'); \
	if [ -n "$$linked" ] && [ -n "$$system" ] && [ "$$linked" != "$$system" ] && \
		[ "$$(printf '%s\n%s\n' "$$linked" "$$system" | sort -V | head -n 1)" = "$$linked" ]; then \
		echo "warning: managesieved and managesievectl have OpenSSL $$linked linked in, older than the system's $$system:" \
			"rebuild it (make release install; README: After an OpenSSL security release)" >&2; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/managesieved $(DESTDIR)$(SBINDIR)/managesievectl
	rm -f $(addprefix $(DESTDIR),$(COMPLETIONS))
	@rmdir $(DESTDIR)$(SYSCONFDIR)/managesieved 2>/dev/null || true
	rm -f $(DESTDIR)$(MANDIR)/man8/managesieved.8 $(DESTDIR)$(MANDIR)/man8/managesievectl.8 $(DESTDIR)$(MANDIR)/man5/managesieved.conf.5
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "left $(DESTDIR)$(SYSCONFDIR)/managesieved.conf in place (remove it by hand if you want)"

clean:
	rm -rf .build $(CTL_SCRATCH) $(FUZZ_DIR) $(ASAN_DIR) demo

# Fuzzing: libFuzzer + AddressSanitizer builds of the fuzz targets (fuzz/Fuzz*), all in one scratch folder
# $(FUZZ_DIR). `make fuzz` runs each FUZZ_SECONDS from its seed corpus fuzz/corpus/<name>/ (FUZZ_TARGETS picks
# some); new inputs go to $(FUZZ_DIR)/corpus-<name>, crashes to $(FUZZ_DIR)/artifacts-<name>/; FUZZ_FLAGS adds
# libFuzzer flags. `make sanitize` (part of `make test`) runs each for FUZZ_SHORT seconds, replays the compiler's
# verdict corpus under ASan, and runs the SieveCompiler unit tests built with ASan; any finding fails it.
# Figures: TESTING.md.
FUZZ_DIR     ?= .build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SHORT   ?= 4
FUZZ_ALL      = protocol:FuzzProtocol compiler:FuzzCompiler sasl:FuzzSASL proxyheader:FuzzProxyHeader \
                config:FuzzConfig passwd:FuzzPasswd transcript:FuzzTranscript regex:FuzzRegex \
                message:FuzzMessage
FUZZ_TARGETS ?= $(FUZZ_ALL)
# No allocation stacks in reports: 3x the executions per second (replay a crash input to investigate it).
FUZZ_ASAN    ?= malloc_context_size=0
FUZZ_BUILD    = $(SWIFT) build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --scratch-path $(FUZZ_DIR)
ASAN_DIR     ?= .build-asan

fuzz-build:
	@for pair in $(FUZZ_TARGETS); do $(FUZZ_BUILD) --product $${pair#*:} || exit 1; done

fuzz: fuzz-build
	@for pair in $(FUZZ_TARGETS); do \
		target=$${pair%%:*}; bin=$${pair#*:}; \
		mkdir -p $(FUZZ_DIR)/corpus-$$target $(FUZZ_DIR)/artifacts-$$target; \
		echo "== $$bin for $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=$(FUZZ_ASAN) $(FUZZ_DIR)/debug/$$bin $(FUZZ_DIR)/corpus-$$target fuzz/corpus/$$target \
			-max_total_time=$(FUZZ_SECONDS) -timeout=60 -rss_limit_mb=2048 -max_len=8192 \
			-print_final_stats=1 $(FUZZ_FLAGS) \
			-artifact_prefix=$(FUZZ_DIR)/artifacts-$$target/ || exit 1; \
	done

# The short runs start from the seeds only (a scratch corpus emptied first), so every run checks the same inputs
# plus FUZZ_SHORT seconds of mutations.
sanitize: fuzz-build
	@for pair in $(FUZZ_TARGETS); do \
		target=$${pair%%:*}; bin=$${pair#*:}; \
		rm -rf $(FUZZ_DIR)/short-$$target; mkdir -p $(FUZZ_DIR)/short-$$target $(FUZZ_DIR)/artifacts-$$target; \
		echo "== $$bin: seeds + $(FUZZ_SHORT) s under AddressSanitizer"; \
		ASAN_OPTIONS=$(FUZZ_ASAN) $(FUZZ_DIR)/debug/$$bin $(FUZZ_DIR)/short-$$target fuzz/corpus/$$target \
			-max_total_time=$(FUZZ_SHORT) -timeout=60 -rss_limit_mb=2048 -max_len=8192 -seed=1 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts-$$target/ >$(FUZZ_DIR)/short-$$target.log 2>&1 \
			|| { tail -40 $(FUZZ_DIR)/short-$$target.log; exit 1; }; \
		grep -h "^Done" $(FUZZ_DIR)/short-$$target.log || true; \
	done
	@echo "== the Sieve verdict corpus through FuzzCompiler under AddressSanitizer"
	@find Tests/SieveCompilerTests/Corpus -name '*.sieve' | sort | xargs \
		env ASAN_OPTIONS=$(FUZZ_ASAN) $(FUZZ_DIR)/debug/FuzzCompiler -runs=1 >$(FUZZ_DIR)/corpus-replay.log 2>&1 \
		|| { tail -40 $(FUZZ_DIR)/corpus-replay.log; exit 1; }
	@grep -c "^Running:" $(FUZZ_DIR)/corpus-replay.log | sed 's/^/scripts replayed: /'
	@echo "== SieveCompiler unit tests built with AddressSanitizer ($(ASAN_DIR))"
	$(SWIFT) build --build-tests --sanitize=address --scratch-path $(ASAN_DIR)
	@# Leak reports off here: the test runner's own caches would show as leaks; memory errors still fail the run.
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path $(ASAN_DIR) \
		--filter SieveCompilerTests
