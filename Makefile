# stackhop - one non-recursive Makefile.
#
#   make                          build ./stackhop
#   make check                    install Debian deps, build, run every test
#   make demo                     install deps, build, show a plan (see README)
#   make SANITIZE=address,undefined check
#   make bench                    run bench/plan-scale
#   make check-layers             no layer can include a header above it
#   make install PREFIX=/usr/local

CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DATADIR = $(PREFIX)/share/stackhop
BUILD ?= build
VERSION := 0.1.0$(shell git rev-parse --short HEAD 2>/dev/null | sed 's/^/+g/')

PKGS = yaml-0.1 jansson sqlite3 libmariadb libcurl libcrypto
# Expanded when a recipe runs, so that "make check" can install the -dev
# packages first.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm

CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
	-Wno-format-nonliteral -Wvla -Wmissing-prototypes
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) $(PKG_CFLAGS) \
	-DSTACKHOP_VERSION='"$(VERSION)"' -DSTACKHOP_DATADIR='"$(DATADIR)"'

# The layers, lowest first (docs/ARCHITECTURE.md, section 0): a directory's
# files compile with its own and the lower layers' include paths only, so
# an #include of a header above them does not compile ("make check-layers"
# shows it for every pair).  transport and runtime are one layer; infra,
# openstack, verify and the executor are four beside each other above
# it, which the procedures combine.
LAYER_basic = src/basic
LAYER_core = $(LAYER_basic) src/core
LAYER_transport = $(LAYER_core) src/transport src/runtime
LAYER_runtime = $(LAYER_transport)
LAYER_infra = $(LAYER_transport) src/infra
LAYER_openstack = $(LAYER_transport) src/openstack
LAYER_verify = $(LAYER_transport) src/verify
LAYER_executor = $(LAYER_transport) src/executor
LAYER_procedures = $(LAYER_transport) src/infra src/openstack src/verify src/executor src/procedures
LAYER_cmd = $(LAYER_procedures) src/cmd
# src/main.c
LAYER_src = $(LAYER_cmd)
LAYERS = basic core transport runtime infra openstack verify executor procedures cmd
# -I flags of the layer of source file $(1) (none for a directory not listed).
layer_includes = $(addprefix -I,$(LAYER_$(notdir $(patsubst %/,%,$(dir $(1))))))
# Tests and fuzz targets sit above everything.
TOP_INCLUDES = $(addprefix -I,$(LAYER_cmd))
ALL_LDFLAGS = $(LDFLAGS)

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

LIB_SRCS = $(wildcard src/basic/*.c) $(wildcard src/core/*.c) $(wildcard src/transport/*.c) $(wildcard src/verify/*.c) $(wildcard src/infra/*.c) $(wildcard src/openstack/*.c) $(wildcard src/runtime/*.c) $(wildcard src/executor/*.c) $(wildcard src/procedures/*.c)
CMD_SRCS = $(wildcard src/cmd/*.c) src/main.c
TEST_SRCS = $(wildcard tests/unit/test-*.c)
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz-*.c)

LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS = $(CMD_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS = $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_BINS = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# Rebuild everything when the flags change (e.g. SANITIZE).
FLAGS_FILE = $(BUILD)/.flags
ALL_FLAGS = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(foreach l,$(LAYERS),$(l):$(LAYER_$(l)))
$(shell mkdir -p $(BUILD) && echo '$(ALL_FLAGS)' | cmp -s - $(FLAGS_FILE) || echo '$(ALL_FLAGS)' > $(FLAGS_FILE))

.PHONY: all check test demo bench deps clean install fuzz lab-up lab-down check-layers
all: stackhop

stackhop: $(CMD_OBJS) $(BUILD)/libstackhop.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libstackhop.a $(PKG_LIBS)

$(BUILD)/libstackhop.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call layer_includes,$<) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(BUILD)/libstackhop.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TOP_INCLUDES) -Itests/unit -o $@ $< $(BUILD)/libstackhop.a $(ALL_LDFLAGS) $(PKG_LIBS)

# Fuzz targets built with a replay driver: every corpus file is run once
# (the regression part of fuzzing; see tests/fuzz/README).
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libstackhop.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TOP_INCLUDES) -o $@ $< tests/fuzz/replay.c $(BUILD)/libstackhop.a $(ALL_LDFLAGS) $(PKG_LIBS)

# Building, the tests and the demo need the lab's packages too.
deps:
	scripts/deps.sh lab

# The README's test command: installs what it needs, then runs everything.
check: deps
	$(MAKE) --no-print-directory test

test: stackhop $(TEST_BINS) $(FUZZ_BINS)
	tests/run.sh

# The layers hold: with a layer's flags, every header of its own and the
# lower layers compiles on its own, and no header of a directory above it
# can be included (the compiler finds no such file).  Run by
# tests/cli/t0020-layers.sh, so by make check.
LAYER_PROBE = $(BUILD)/layers/probe.c
check-layers:
	@mkdir -p $(BUILD)/layers
	@set -e; $(foreach l,$(LAYERS), \
	for h in $(wildcard $(addsuffix /*.h,$(LAYER_$(l)))); do \
		printf '#include "%s"\n' "$${h##*/}" > $(LAYER_PROBE); \
		$(CC) $(ALL_CFLAGS) $(addprefix -I,$(LAYER_$(l))) -fsyntax-only $(LAYER_PROBE) || \
			{ echo "check-layers: $$h does not compile with the flags of layer $(l)" >&2; exit 1; }; \
	done; \
	for h in $(wildcard $(addsuffix /*.h,$(filter-out $(LAYER_$(l)),$(wildcard src/*)))); do \
		printf '#include "%s"\n' "$${h##*/}" > $(LAYER_PROBE); \
		$(CC) $(ALL_CFLAGS) $(addprefix -I,$(LAYER_$(l))) -fsyntax-only $(LAYER_PROBE) \
			2>$(LAYER_PROBE).err || true; \
		grep -Eq "error: '?$${h##*/}'?(: No such file| file not found)" $(LAYER_PROBE).err || \
			{ echo "check-layers: layer $(l) can include $$h, a header above it" >&2; exit 1; }; \
	done;) \
	echo "check-layers: $(words $(LAYERS)) layers, no upward include"

bench: stackhop
	bench/plan-scale

demo: deps
	$(MAKE) --no-print-directory stackhop
	scripts/demo.sh

# The lab (see "stackhop lab --help"); make demo leaves it up.
lab-up: stackhop
	./stackhop lab up

lab-down: stackhop
	./stackhop lab down

install: stackhop
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/catalog/hops \
		$(DESTDIR)$(DATADIR)/lab $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 stackhop $(DESTDIR)$(PREFIX)/bin/stackhop
	install -m 644 catalog/*.yaml $(DESTDIR)$(DATADIR)/catalog/
	install -m 644 catalog/hops/*.yaml $(DESTDIR)$(DATADIR)/catalog/hops/
	install -m 755 lab/*.sh lab/*.py lab/kolla_start $(DESTDIR)$(DATADIR)/lab/
	install -m 644 docs/stackhop.1 $(DESTDIR)$(PREFIX)/share/man/man1/stackhop.1

clean:
	rm -rf $(BUILD) stackhop

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

$(BUILD)/bench/listener: bench/listener.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/bench/measure: bench/measure.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $<

# Coverage-guided fuzzing with clang's libFuzzer, bounded in time.  New
# inputs go to $(BUILD)/fuzz-corpus/; copy the ones worth keeping into
# tests/fuzz/corpus/, where "make check" replays them.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz:
	@mkdir -p $(BUILD)/libfuzzer
	@for t in $(FUZZ_SRCS:tests/fuzz/fuzz-%.c=%); do \
		$(FUZZ_CC) -std=c11 -D_GNU_SOURCE $(FUZZ_FLAGS) $(TOP_INCLUDES) $(PKG_CFLAGS) \
			-o $(BUILD)/libfuzzer/fuzz-$$t tests/fuzz/fuzz-$$t.c $(LIB_SRCS) $(PKG_LIBS) || exit 1; \
		mkdir -p $(BUILD)/fuzz-corpus/$$t; \
		echo "== fuzzing $$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/libfuzzer/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-print_final_stats=1 $(BUILD)/fuzz-corpus/$$t tests/fuzz/corpus/$$t 2>&1 | \
			grep -E "^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY)" || true; \
	done
