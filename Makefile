# authdeliver - see README.  Run ./configure first (./quickstart does).
#
#   make              build build/authdeliver
#   make check        unit, end-to-end and conformance tests (+ ASan/UBSan run)
#   make check-plain  the same without the sanitizer pass
#   make check-asan   the suite with AddressSanitizer + UBSan (build-asan/)
#   make check-fuzz   each libFuzzer target for 10 s (part of make check)
#   make fuzz         build the libFuzzer targets and run each FUZZ_TIME seconds
#   make bench        benchmarks (scripts, not timed tests)
#   make demo         LMTP server in the foreground with the demo config
#   make analyze      scan-build (clang static analyzer) and cppcheck
#
# WERROR=1 adds -Werror (make check and CI set it; a packager's plain
# `make` does not, so a newer compiler's new warning cannot break it).

-include config.mk

WERROR ?= 0
# expanded where used, so that the target-specific WERROR of check applies
CFLAGS += $(if $(filter 1,$(WERROR)),-Werror)

SAN ?= 0
ifeq ($(SAN),1)
B = build-asan
CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
B = build
endif

SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
OBJS := $(SRCS:src/%.c=$(B)/obj/%.o)
HDRS := $(wildcard src/*.h)
UNIT := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME ?= 20

all: config.mk $(B)/authdeliver $(UNIT)

# the vendored, patched libsieve (vendor/libsieve/README.authdeliver)
include vendor/libsieve/libsieve.mk
CFLAGS += $(LS_INC)

config.mk:
	@echo "run ./configure first (or ./quickstart check)"; exit 1

Q = $(if $(V),,@)

$(B)/obj/%.o: src/%.c $(HDRS) config.mk
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libauthdeliver.a: $(OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(OBJS)

$(B)/authdeliver: $(B)/obj/main.o $(B)/libauthdeliver.a $(B)/libsieve.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/test_%: tests/unit/test_%.c tests/unit/t.h $(B)/libauthdeliver.a $(B)/libsieve.a $(HDRS)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) -Isrc -o $@ $< $(B)/libauthdeliver.a $(B)/libsieve.a $(LDFLAGS) $(LIBS)

check: export WERROR = 1
check: check-plain check-fuzz check-asan

# each fuzz target briefly, on its seeds and kept regression inputs
check-fuzz: config.mk
	$(MAKE) fuzz FUZZ_TIME=10

check-plain: export WERROR = 1
check-plain: all
	tests/run $(B)

check-asan: export WERROR = 1
check-asan:
	$(MAKE) SAN=1 all
	tests/run build-asan

FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Isrc \
	$(filter-out -Werror -O2 -Wformat=2,$(CFLAGS))
FUZZ_OBJS := $(SRCS:src/%.c=build-fuzz/obj/%.o)

build-fuzz/obj/%.o: src/%.c $(HDRS) config.mk
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CLANG   $<")
	$(Q)clang $(FUZZ_CFLAGS) -c -o $@ $<

build-fuzz/libfuzz.a: $(FUZZ_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(FUZZ_OBJS)

build-fuzz/%: tests/fuzz/%.c build-fuzz/libfuzz.a $(B)/libsieve.a
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libfuzz.a $(B)/libsieve.a $(LIBS)

fuzz: $(FUZZ)
	tests/fuzz/run $(FUZZ_TIME) $(FUZZ)

# Static analysis: the clang analyzer over a separate build (build-analyze/,
# reports in build-analyze/scan/) and cppcheck over src/.  Both must be
# clean: a report that is a false positive is suppressed inline where it
# is, with the reason (cppcheck-suppress / an assert the analyzer sees).
# The vendored libsieve is upstream's code: it is built first, outside the
# analyzer, so that only src/ is analyzed.  scan-build is clang-tools
# (Debian: clang-tools-14, which may install only scan-build-14).
SCAN_BUILD ?= $(shell command -v scan-build 2>/dev/null || command -v scan-build-14 2>/dev/null)
analyze: config.mk
	@test -n "$(SCAN_BUILD)" || { echo "make analyze: no scan-build (install clang-tools)"; exit 1; }
	rm -rf build-analyze
	$(MAKE) B=build-analyze build-analyze/libsieve.a
	$(SCAN_BUILD) --status-bugs -o build-analyze/scan \
		$(MAKE) B=build-analyze build-analyze/authdeliver
	cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
		--enable=warning,portability --suppress=missingIncludeSystem \
		-D_GNU_SOURCE -Isrc src/*.c

bench: all
	bench/run $(B)

# Sieve evaluation cost per message (bench/sieve_bench.c; not part of all)
$(B)/sieve_bench: bench/sieve_bench.c $(B)/libauthdeliver.a $(B)/libsieve.a $(HDRS)
	$(Q)$(CC) $(CFLAGS) -Isrc -o $@ $< $(B)/libauthdeliver.a $(B)/libsieve.a $(LDFLAGS) $(LIBS)

demo: all
	tests/demo $(B)

install: all
	install -D -m 755 $(B)/authdeliver $(DESTDIR)$(PREFIX)/sbin/authdeliver
	install -D -m 644 doc/authdeliver.8 $(DESTDIR)$(PREFIX)/share/man/man8/authdeliver.8
	install -D -m 644 doc/authdeliver.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/authdeliver.conf.5
	install -D -m 644 etc/authdeliver.conf $(DESTDIR)/etc/authdeliver/authdeliver.conf.example
	install -D -m 644 sieve/default.sieve $(DESTDIR)$(PREFIX)/share/authdeliver/default.sieve

clean:
	rm -rf build build-asan build-fuzz build-analyze

.PHONY: all check check-plain check-asan check-fuzz fuzz analyze bench demo install clean
