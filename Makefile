# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xglb - top-level build. Output in build/; quiet unless V=1.

BUILD    ?= build
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
PREFIX   ?= /usr/local

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ARCH_INC  := -I/usr/include/$(shell $(CC) -dumpmachine)
# CFLAGS/LDFLAGS are the caller's (make CFLAGS=-O0 keeps everything below);
# the flags the build needs live in XGLB_* variables.
CFLAGS   ?= -O2 -g
DEPFLAGS := -MMD -MP
BPF_CFLAGS := -g -O2 --target=bpf -mcpu=v3 -Wall -Werror -I. -Iinclude $(ARCH_INC) $(DEPFLAGS)
XGLB_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Iuser/lib \
               -I$(BUILD) -D_GNU_SOURCE $(DEPFLAGS)
XGLBD_CFLAGS := $(XGLB_CFLAGS) -Iuser/xglbd

# What each program links: the CLI needs neither libmicrohttpd nor libsodium.
XGLBD_LDLIBS   := -lxdp -lbpf -lelf -lz -lyaml -lmnl -lsodium -lsystemd -ljson-c -lmicrohttpd \
                  -lpthread
XGLBCTL_LDLIBS := -lbpf -lelf -lz -lyaml -ljson-c
TEST_LDLIBS    := $(XGLBD_LDLIBS) -lcmocka
BENCH_LDLIBS   := $(XGLBD_LDLIBS)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS    := $(BUILD)/xglb.skel.h

# user/lib: modules shared by the daemon, the CLI and the tests (no daemon-only libraries).
# user/xglbd: the daemon's modules; main.c holds main(), the rest also goes to the tests.
# user/xglbctl: the CLI.
LIB_SRCS  := $(wildcard user/lib/*.c)
LIB_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS))
LIB       := $(BUILD)/libxglb.a
DLIB_SRCS := $(filter-out user/xglbd/main.c,$(wildcard user/xglbd/*.c))
DLIB_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(DLIB_SRCS)) $(BUILD)/user/xglbd/console_html.o
DLIB      := $(BUILD)/libxglbd.a
CTL_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(wildcard user/xglbctl/*.c))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
BPFT_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/%,$(BPFT_SRCS))
# tests/bench/NAME.bpf.c -> $(BUILD)/bench/NAME.skel.h, like bpf/*.bpf.c; the
# bench programs are the other tests/bench/*.c.
BENCH_BPF_SRCS := $(wildcard tests/bench/*.bpf.c)
BENCH_SKELS := $(patsubst tests/bench/%.bpf.c,$(BUILD)/bench/%.skel.h,$(BENCH_BPF_SRCS))
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard tests/bench/*.c))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

# every C file clang-format owns (vmlinux.h is generated)
FORMAT_SRCS := $(filter-out %vmlinux.h,$(shell find bpf user include tests -name '*.[ch]' | sort))

.DELETE_ON_ERROR:
.SECONDARY:
.SECONDEXPANSION:
SHELL := /bin/bash
.PHONY: all deps tests tools benches test test-unit test-bpf test-integration bench demo fuzz model soak \
	clean install format format-check FORCE

# Plain make: the daemon, the CLI and the BPF objects (no cmocka needed).
all: $(BPF_OBJS) $(BUILD)/xglbd $(BUILD)/xglbctl

# Test programs: unit and BPF suites and the tools the lab runs.
tests: $(UNIT_BINS) $(BPFT_BINS) tools
tools: $(TOOL_BINS)
benches: $(BENCH_BINS) tools

deps:
	$(Q)tests/deps.sh

$(BUILD) $(BUILD)/tests $(BUILD)/bench $(BUILD)/tools $(BUILD)/fuzz:
	$(Q)mkdir -p $@

# clang -> bpftool gen object (BTF fix-ups, static linking) -> skeleton
$(BUILD)/%.tmp.bpf.o: bpf/%.bpf.c vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.tmp.bpf.o: tests/bench/%.bpf.c vmlinux.h | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.bpf.o: $(BUILD)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

# Header dependencies come from -MMD; the skeleton must exist before the first compile.
$(BUILD)/user/lib/%.o: user/lib/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(XGLB_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/user/xglbd/%.o: user/xglbd/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(XGLBD_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/user/xglbctl/%.o: user/xglbctl/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(XGLB_CFLAGS) $(CFLAGS) -c $< -o $@

# The web console is one HTML file compiled into the daemon (no assets to install).
$(BUILD)/user/xglbd/console_html.c: user/xglbd/console.html
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q){ echo '/* generated from user/xglbd/console.html by the Makefile */'; \
	  echo 'const char xglb_console_html[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; \
	  echo 'const unsigned int xglb_console_html_len = sizeof(xglb_console_html) - 1;'; } >$@

$(BUILD)/user/xglbd/console_html.o: $(BUILD)/user/xglbd/console_html.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(XGLB_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(DLIB): $(DLIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xglbd: $(BUILD)/user/xglbd/main.o $(DLIB) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(XGLBD_LDLIBS) -o $@

$(BUILD)/xglbctl: $(CTL_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(XGLBCTL_LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(DLIB) $(LIB) | $(BUILD)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(XGLBD_CFLAGS) $(CFLAGS) -Itests/unit $< $(DLIB) $(LIB) $(LDFLAGS) $(TEST_LDLIBS) -o $@

$(BUILD)/tests/%: tests/bpf/%.c $(DLIB) $(LIB) | $(SKELS) $(BUILD)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(XGLBD_CFLAGS) $(CFLAGS) -Itests/bpf $< $(DLIB) $(LIB) $(LDFLAGS) $(TEST_LDLIBS) -o $@

# test tools: standalone programs the lab runs inside namespaces; xglb_rxfilter
# drives the daemon's unicast filter module, so it links the daemon's modules
$(BUILD)/tools/xglb_rxfilter: tests/tools/xglb_rxfilter.c $(DLIB) $(LIB) | $(BUILD)/tools
	$(call msg,TOOL-CC,$@)
	$(Q)$(CC) $(XGLBD_CFLAGS) $(CFLAGS) $< $(DLIB) $(LIB) $(LDFLAGS) $(XGLBD_LDLIBS) -o $@

# xglb_tcx lists and attaches tcx programs with the library's tcx module
$(BUILD)/tools/xglb_tcx: tests/tools/xglb_tcx.c $(LIB) | $(BUILD)/tools
	$(call msg,TOOL-CC,$@)
	$(Q)$(CC) $(XGLB_CFLAGS) $(CFLAGS) $< $(LIB) $(LDFLAGS) -lbpf -lelf -lz -o $@

# xglb_fillhosts writes the host table through the agent's helper (user/lib/hosttab.c)
$(BUILD)/tools/xglb_fillhosts: tests/tools/xglb_fillhosts.c $(LIB) | $(BUILD)/tools
	$(call msg,TOOL-CC,$@)
	$(Q)$(CC) $(XGLB_CFLAGS) $(CFLAGS) $< $(LIB) $(LDFLAGS) -lbpf -lelf -lz -o $@

# other test tools: standalone programs
# A tool that needs a library names it in TOOL_LDLIBS_NAME.
TOOL_LDLIBS_xglb_fillseen := -lbpf -lelf -lz
$(BUILD)/tools/%: tests/tools/%.c | $(BUILD)/tools
	$(call msg,TOOL-CC,$@)
	$(Q)$(CC) $(XGLB_CFLAGS) $(CFLAGS) $< $(LDFLAGS) $(TOOL_LDLIBS_$*) -o $@

$(BUILD)/bench/%: tests/bench/%.c $(DLIB) $(LIB) $(BENCH_SKELS) | $(SKELS) $(BUILD)/bench
	$(call msg,BENCH-CC,$@)
	$(Q)$(CC) $(XGLBD_CFLAGS) $(CFLAGS) -Itests/bpf -I$(BUILD)/bench $< $(DLIB) $(LIB) $(LDFLAGS) \
		$(BENCH_LDLIBS) -o $@

# The whole suite: unit, BPF test_run, namespace integration. Prints one
# closing line "N passed, N failed".
test:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)tests/run.sh

test-unit: $(UNIT_BINS)
	$(Q)tests/run.sh unit

test-bpf: $(BPFT_BINS)
	$(Q)tests/run.sh bpf

test-integration: all tools
	$(Q)tests/run.sh integration

bench:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all benches
	$(Q)tests/bench/run.sh

# The protocol model: every spin search of model/xglb.pml (tests/model/run.sh;
# make test runs the bounded ones).
model:
	$(Q)tests/deps.sh
	$(Q)tests/model/run.sh full

# The chaos soak (tests/soak/soak.sh; not in make test): SOAK_MIN minutes (30),
# SOAK_SEED to replay a schedule. Run it alone: it builds a lab of 4 routers.
SOAK_MIN ?= 30
soak:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all tools
	$(Q)SOAK_MIN=$(SOAK_MIN) tests/soak/soak.sh

demo:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all tools
	$(Q)tests/lab/demo.sh

# libFuzzer targets: tests/fuzz/fuzz_NAME.c with its corpus in tests/fuzz/corpus/NAME/.
# Each is linked with the pure modules it names in FUZZ_DEPS_NAME and the libraries in FUZZ_LIBS_NAME.
FUZZ_DEPS_fuzz_decode := user/lib/proto.c
FUZZ_LIBS_fuzz_decode := -lsodium
FUZZ_DEPS_fuzz_ctl := user/lib/ctlreq.c
FUZZ_LIBS_fuzz_ctl := -ljson-c
$(BUILD)/fuzz/%: tests/fuzz/%.c $$(FUZZ_DEPS_$$*) $(wildcard user/lib/*.h) tests/unit/sample_hello.h include/xglb.h | $(BUILD)/fuzz
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Iuser/lib -Itests/unit \
		$< $(FUZZ_DEPS_$*) $(FUZZ_LIBS_$*) -o $@

# New inputs go to a scratch corpus (the committed seeds stay as they are);
# a crash fails the target.
fuzz: $(FUZZ_BINS)
	$(Q)set -o pipefail; for f in $(FUZZ_BINS); do n=$$(basename $$f); n=$${n#fuzz_}; \
		work=$(BUILD)/fuzz/corpus-$$n; mkdir -p $$work; \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s, seeds tests/fuzz/corpus/$$n"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/ $$work tests/fuzz/corpus/$$n \
			>$(BUILD)/fuzz/$$n.log 2>&1 || { tail -n 40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
		grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' \
			$(BUILD)/fuzz/$$n.log; done

clean:
	$(Q)rm -rf $(BUILD)

format:
	$(Q)clang-format -i $(FORMAT_SRCS)

# Non-zero exit when any file differs from what clang-format would write.
format-check:
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRCS)
	@# a control character in a page (a form feed where \f was meant) prints raw
	$(Q)! grep -nP '[\x00-\x08\x0b-\x1f]' man/* docs/*.md README.md ARCHITECTURE.md || \
		{ echo "control characters in the documents above" >&2; exit 1; }

# The unit names the binaries where this PREFIX puts them; regenerated on
# every install, since PREFIX is not a file make could compare.
$(BUILD)/xglbd.service: dist/xglbd.service.in FORCE
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $< >$@.tmp && mv $@.tmp $@

FORCE:

install: $(BUILD)/xglbd $(BUILD)/xglbctl $(BUILD)/xglbd.service
	install -D -m 0755 $(BUILD)/xglbd $(DESTDIR)$(PREFIX)/sbin/xglbd
	install -D -m 0755 $(BUILD)/xglbctl $(DESTDIR)$(PREFIX)/sbin/xglbctl
	install -D -m 0644 man/xglbd.8 $(DESTDIR)$(PREFIX)/share/man/man8/xglbd.8
	install -D -m 0644 man/xglbctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/xglbctl.8
	install -D -m 0644 man/xglb.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/xglb.conf.5
	install -D -m 0644 examples/xglb.yaml $(DESTDIR)$(PREFIX)/share/doc/xglb/examples/xglb.yaml
	install -D -m 0644 examples/xglb-membership.yaml \
		$(DESTDIR)$(PREFIX)/share/doc/xglb/examples/xglb-membership.yaml
	install -D -m 0644 $(BUILD)/xglbd.service $(DESTDIR)/lib/systemd/system/xglbd.service
	install -D -m 0644 dist/xglbctl.bash-completion \
		$(DESTDIR)/usr/share/bash-completion/completions/xglbctl

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
