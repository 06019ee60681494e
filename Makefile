# userprune — see README.md. `make check` runs every test, `make demo` the
# main job against the bundled vendor emulator.

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/userprune
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
EMUDATADIR ?= $(PREFIX)/share/userprune-emulator
BUILD     ?= build
CC        ?= cc
PKG_CONFIG ?= pkg-config
PYTHON    ?= /usr/bin/python3

PKGS      = yaml-0.1 libcurl libcjson libgit2
EMU_PKGS  = libcjson libmicrohttpd

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif

CFLAGS ?= -O2 -g
ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# one query each: a missing cmocka must not hide libmicrohttpd (make deb
# builds the emulator without the test libraries)
EMU_LIBS   := $(shell $(PKG_CONFIG) --libs $(EMU_PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null) \
	       $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
TEST_LIBS  := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null) \
	      $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

ALL_CFLAGS = $(WARN) -D_DEFAULT_SOURCE -DUSERPRUNE_VERSION='"$(VERSION)"' \
	     -I. $(PKG_CFLAGS) $(TEST_CFLAGS) $(SAN_FLAGS) -MMD -MP $(CPPFLAGS) \
	     $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

UTIL_SRCS      = $(wildcard util/*.c)
RECONCILE_SRCS = $(wildcard reconcile/*.c reconcile/vendors/*.c)
CMD_SRCS       = $(wildcard cmd/*.c)
EMULATOR_SRCS  = $(wildcard tests/emulator/*.c)
UNIT_SRCS      = $(wildcard tests/unit/test_*.c)
BENCH_SRCS     = $(wildcard tests/bench/*.c)
FUZZ_SRCS      = $(wildcard tests/fuzz/fuzz_*.c)

# The shell completions, built into the binary (userprune completion SHELL)
COMPLETIONS = completions/userprune.bash completions/_userprune \
	      completions/userprune.fish
GEN_COMPLETIONS = $(BUILD)/gen/completions.c

UTIL_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(UTIL_SRCS))
LIB_OBJS  = $(UTIL_OBJS) $(patsubst %.c,$(BUILD)/%.o,$(RECONCILE_SRCS))
CMD_OBJS  = $(patsubst %.c,$(BUILD)/%.o,$(CMD_SRCS)) $(BUILD)/gen/completions.o
EMU_OBJS  = $(patsubst %.c,$(BUILD)/%.o,$(EMULATOR_SRCS))
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BENCH_BINS = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

BIN      = $(BUILD)/userprune
EMULATOR = $(BUILD)/userprune-emulator
LIB      = $(BUILD)/libreconcile.a

.PHONY: all check check-asan bench format format-check install clean deps \
	demo tests fuzz fuzz-bins install-emulator deb image

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(GEN_COMPLETIONS): $(COMPLETIONS) tools/embed.sh
	@mkdir -p $(dir $@)
	tools/embed.sh $@ cmd/completion_data.h \
		completions/userprune.bash:completion_bash \
		completions/_userprune:completion_zsh \
		completions/userprune.fish:completion_fish

$(BUILD)/gen/completions.o: $(GEN_COMPLETIONS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CMD_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJS) $(LIB) $(PKG_LIBS) -lm

# The emulator is a test tool: it shares util/ but not the library.
$(EMULATOR): $(EMU_OBJS) $(UTIL_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(EMU_OBJS) $(UTIL_OBJS) $(EMU_LIBS) \
		-lpthread -lm

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(TEST_LIBS) -lm

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) -lm

# Fuzz targets: with tests/fuzz/driver.c they run their corpus once
# (tests/run.py fuzz-corpus); `make fuzz` links them with libFuzzer instead.
ifeq ($(FUZZ_ENGINE),libfuzzer)
FUZZ_MAIN =
FUZZ_LDFLAGS = -fsanitize=fuzzer
else
FUZZ_MAIN = $(BUILD)/tests/fuzz/driver.o
FUZZ_LDFLAGS =
endif

.PRECIOUS: $(BUILD)/tests/fuzz/%.o
$(BUILD)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(FUZZ_MAIN) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $(FUZZ_LDFLAGS) -o $@ $< $(FUZZ_MAIN) $(LIB) \
		$(PKG_LIBS) -lm

tests: $(BIN) $(EMULATOR) $(UNIT_BINS) $(BENCH_BINS) $(FUZZ_BINS)

deps:
	@tools/deps.sh

check: deps
	@$(MAKE) --no-print-directory tests
	@$(PYTHON) tests/run.py --build $(BUILD)

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
		SANITIZE=address,undefined,float-cast-overflow CFLAGS="-O1 -g" \
		tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 $(PYTHON) tests/run.py --build build-asan --sanitized

bench: deps
	@$(MAKE) --no-print-directory tests
	@$(PYTHON) tests/bench/run.py --build $(BUILD)

# libFuzzer binaries in build-fuzz/fuzz/ (clang, ASan, UBSan). Run one on
# a copy of its seed corpus, e.g.
#   mkdir -p build-fuzz/corpus/config
#   build-fuzz/fuzz/fuzz_config -max_total_time=180 -rss_limit_mb=2048 \
#       build-fuzz/corpus/config tests/fuzz/corpus/config
# (new inputs go into the first directory). Once a crash is fixed, add its
# reproducer to tests/fuzz/corpus/NAME/ as regress-WHAT; make check runs
# it. Inputs that reach new code join the corpus by an edge-only merge:
#   build-fuzz/fuzz/fuzz_config -merge=1 -use_counters=0 \
#       tests/fuzz/corpus/config build-fuzz/corpus/config
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		SANITIZE=fuzzer-no-link,address,undefined CFLAGS="-O1 -g" \
		FUZZ_ENGINE=libfuzzer fuzz-bins

fuzz-bins: $(FUZZ_BINS)

# make demo PORT=N: the emulator on another port than 8765 (only a PORT
# given on the command line: one in the environment is someone else's)
DEMO_PORT = $(if $(filter command line,$(origin PORT)),$(PORT))

demo: deps
	@$(MAKE) --no-print-directory $(BIN) $(EMULATOR)
	@tools/demo.sh $(BUILD) $(DEMO_PORT)

format:
	clang-format -i $(UTIL_SRCS) $(RECONCILE_SRCS) $(CMD_SRCS) \
		$(EMULATOR_SRCS) $(UNIT_SRCS) $(BENCH_SRCS) \
		$(wildcard tests/fuzz/*.c) \
		$(wildcard util/*.h reconcile/*.h reconcile/vendors/*.h cmd/*.h \
		tests/*/*.h)

format-check:
	clang-format --dry-run -Werror $(UTIL_SRCS) $(RECONCILE_SRCS) \
		$(CMD_SRCS) $(EMULATOR_SRCS) $(UNIT_SRCS) $(BENCH_SRCS) \
		$(wildcard tests/fuzz/*.c) \
		$(wildcard util/*.h reconcile/*.h reconcile/vendors/*.h cmd/*.h \
		tests/*/*.h)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/schema
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/userprune
	install -m 644 man/userprune.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/userprune.yaml.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 schema/*.json $(DESTDIR)$(DATADIR)/schema/
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	install -m 644 completions/userprune.bash \
		$(DESTDIR)$(BASHCOMPDIR)/userprune
	install -m 644 completions/_userprune $(DESTDIR)$(ZSHCOMPDIR)/
	install -m 644 completions/userprune.fish $(DESTDIR)$(FISHCOMPDIR)/

# The emulator and `userprune-demo` (the installed `make demo`): the
# userprune-emulator package.
install-emulator: $(EMULATOR)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(EMUDATADIR)/demo/keep
	install -m 755 $(EMULATOR) $(DESTDIR)$(BINDIR)/userprune-emulator
	sed 's|/usr/share/userprune-emulator/demo|$(EMUDATADIR)/demo|' \
		tools/userprune-demo >$(DESTDIR)$(BINDIR)/userprune-demo
	chmod 755 $(DESTDIR)$(BINDIR)/userprune-demo
	install -m 644 man/userprune-emulator.1 man/userprune-demo.1 \
		$(DESTDIR)$(MANDIR)/man1/
	install -m 644 examples/demo.yaml examples/demo-users.json \
		$(DESTDIR)$(EMUDATADIR)/demo/
	install -m 644 examples/keep/jira-qa-staff.txt examples/keep/jira-qa.csv \
		$(DESTDIR)$(EMUDATADIR)/demo/keep/

# Debian packages userprune and userprune-emulator, built by
# dpkg-buildpackage from debian/ in a copy of the tree, so that its
# results (and its clean step) stay in $(BUILD)/deb; lintian checks them.
DEB_DIR = $(BUILD)/deb
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
		{ echo "userprune: make deb needs dpkg-dev and debhelper" \
		       "(apt-get install dpkg-dev debhelper fakeroot lintian)" >&2; \
		  exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/userprune-$(VERSION)
	tar -cf - --exclude=./.git --exclude='./build*' --exclude=./.userprune \
		--exclude=__pycache__ . | tar -xf - -C $(DEB_DIR)/userprune-$(VERSION)
	cd $(DEB_DIR)/userprune-$(VERSION) && \
		dpkg-buildpackage -b -us -uc $(DEB_BUILD_FLAGS)
	@if command -v lintian >/dev/null; then \
		echo "lintian $(DEB_DIR)/*.changes"; \
		lintian --fail-on error $(DEB_DIR)/*.changes; \
	else echo "userprune: lintian not installed: not run" >&2; fi
	@ls -1 $(DEB_DIR)/*.deb

# The container image of Containerfile with that package (podman, or
# CONTAINER=docker); tools/image.sh says which base image and flags.
image: deb
	@tools/image.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz

# dependency files; not those of the package build's copy of the tree
-include $(shell find $(BUILD) -path $(BUILD)/deb -prune -o -name '*.d' \
	-type f -print 2>/dev/null)
