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
BPF_CFLAGS := -g -O2 --target=bpf -mcpu=v3 -Wall -Werror -I. -Iinclude $(ARCH_INC)
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Iuser/lib -Iuser/xglbd -I$(BUILD) \
            -D_GNU_SOURCE
LDLIBS   := -lxdp -lbpf -lelf -lz -lyaml -lmnl -lsodium -lsystemd -ljson-c -lmicrohttpd -lpthread
TEST_LDLIBS := $(LDLIBS) -lcmocka

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS    := $(BUILD)/xglb.skel.h

# Shared modules and the daemon's modules go into one archive used by the
# daemon, the CLI and the tests.
LIB_SRCS := $(wildcard user/lib/*.c) $(filter-out user/xglbd/main.c,$(wildcard user/xglbd/*.c))
LIB_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS)) $(BUILD)/user/console_html.o
LIB      := $(BUILD)/libxglb.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
BPFT_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/%,$(BPFT_SRCS))
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

.DELETE_ON_ERROR:
.SECONDARY:
SHELL := /bin/bash
.PHONY: all deps test test-unit test-bpf test-integration bench demo fuzz clean install format

all: $(BPF_OBJS) $(BUILD)/xglbd $(BUILD)/xglbctl $(UNIT_BINS) $(BPFT_BINS) $(BENCH_BINS) \
	$(TOOL_BINS)

deps:
	$(Q)tests/deps.sh

$(BUILD) $(BUILD)/user $(BUILD)/tests $(BUILD)/bench:
	$(Q)mkdir -p $@

# clang -> bpftool gen object (BTF fix-ups, static linking) -> skeleton
$(BUILD)/%.tmp.bpf.o: bpf/%.bpf.c $(wildcard bpf/lib/*.h) include/xglb.h vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.bpf.o: $(BUILD)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

$(BUILD)/user/%.o: user/%.c $(wildcard user/*/*.h) include/xglb.h $(SKELS) | $(BUILD)/user
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The web console is one HTML file compiled into the daemon (no assets to install).
$(BUILD)/user/console_html.c: user/xglbd/console.html | $(BUILD)/user
	$(call msg,GEN,$@)
	$(Q){ echo '/* generated from user/xglbd/console.html by the Makefile */'; \
	  echo 'const char xglb_console_html[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; \
	  echo 'const unsigned int xglb_console_html_len = sizeof(xglb_console_html) - 1;'; } >$@

$(BUILD)/user/console_html.o: $(BUILD)/user/console_html.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xglbd: $(BUILD)/user/xglbd/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/xglbctl: $(BUILD)/user/xglbctl/xglbctl.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/testlib.h | $(BUILD)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(LIB) $(TEST_LDLIBS) -o $@

$(BUILD)/tests/%: tests/bpf/%.c $(LIB) $(SKELS) $(wildcard tests/bpf/*.h) | $(BUILD)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/bpf $< $(LIB) $(TEST_LDLIBS) -o $@

# test tools: standalone programs the lab runs inside namespaces
$(BUILD)/tools/%: tests/tools/%.c
	$(call msg,TOOL-CC,$@)
	$(Q)mkdir -p $(BUILD)/tools
	$(Q)$(CC) $(CFLAGS) $< -o $@

$(BUILD)/bench/%: tests/bench/%.c $(LIB) $(SKELS) | $(BUILD)/bench
	$(call msg,BENCH-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/bpf $< $(LIB) $(LDLIBS) -o $@

# The whole suite: unit, BPF test_run, namespace integration. Prints one
# closing line "N passed, N failed".
test:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run.sh

test-unit: $(UNIT_BINS)
	$(Q)tests/run.sh unit

test-bpf: $(BPFT_BINS)
	$(Q)tests/run.sh bpf

test-integration: all
	$(Q)tests/run.sh integration

bench:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/bench/run.sh

demo:
	$(Q)tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/lab/demo.sh

# libFuzzer targets: tests/fuzz/fuzz_NAME.c with its corpus in tests/fuzz/corpus/NAME/.
# Each is linked with the pure modules it names in FUZZ_DEPS_NAME.
FUZZ_DEPS_fuzz_decode := user/lib/proto.c
$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard user/*/*.h) include/xglb.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(BUILD)/fuzz
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Iuser/lib \
		$< $(FUZZ_DEPS_$*) -lsodium -o $@

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
	$(Q)clang-format -i $(wildcard bpf/*.c bpf/lib/*.h user/*.c user/*.h include/*.h tests/unit/*.c tests/bpf/*.c tests/bench/*.c)

install: $(BUILD)/xglbd $(BUILD)/xglbctl
	install -D -m 0755 $(BUILD)/xglbd $(DESTDIR)$(PREFIX)/sbin/xglbd
	install -D -m 0755 $(BUILD)/xglbctl $(DESTDIR)$(PREFIX)/sbin/xglbctl
	install -D -m 0644 man/xglbd.8 $(DESTDIR)$(PREFIX)/share/man/man8/xglbd.8
	install -D -m 0644 man/xglbctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/xglbctl.8
	install -D -m 0644 man/xglb.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/xglb.conf.5
	install -D -m 0644 examples/xglb.yaml $(DESTDIR)$(PREFIX)/share/doc/xglb/examples/xglb.yaml
	install -D -m 0644 examples/xglb-membership.yaml \
		$(DESTDIR)$(PREFIX)/share/doc/xglb/examples/xglb-membership.yaml
	install -D -m 0644 dist/xglbd.service $(DESTDIR)/lib/systemd/system/xglbd.service
	install -D -m 0644 dist/xglbctl.bash-completion \
		$(DESTDIR)/usr/share/bash-completion/completions/xglbctl
