# airlock: deps -> vmlinux.h -> bpf objects -> skeletons -> agent, cli -> tests
#
# make demo | make test | make bench | make fuzz | make deps | make clean
# V=1 for a verbose build.

OUTPUT    := .output
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
CLANG     ?= clang
CC        ?= gcc
BPFTOOL   ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
VMLINUX   := vmlinux/$(ARCH)/vmlinux.h

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Debian packages the build and the tests need.  `make deps` installs only
# what is missing, so it is cheap to run before every target.
DEB_PKGS := make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev \
	    libjansson-dev libevent-dev libcmocka-dev liburing-dev libclang-rt-14-dev \
	    iproute2 procps netcat-openbsd util-linux libssl-dev libpcre2-dev \
	    $(if $(filter x86,$(ARCH)),libhyperscan-dev,libvectorscan-dev)

PKG_LIBS   := libbpf jansson libevent libcrypto libhs
HOST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_FORTIFY_SOURCE=2 \
	       -Wno-missing-field-initializers \
	       -Iinclude -Ipolicy -Iagent -Iagent/scan -Ibpf -I$(OUTPUT) \
	       $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
HOST_LDLIBS := $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null) -lelf -lz
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Iinclude \
	      -Wall -Werror -Wno-unused-function

POLICY_SRCS := $(sort $(wildcard policy/*.c))
AGENT_SRCS  := $(sort $(filter-out agent/main.c,$(wildcard agent/*.c)))
SCAN_SRCS   := $(sort $(wildcard agent/scan/*.c))
CLI_SRCS    := $(sort $(wildcard cli/*.c))
LIB_SRCS    := $(POLICY_SRCS) $(AGENT_SRCS) $(SCAN_SRCS)
LIB_OBJS    := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
SAN_OBJS    := $(patsubst %.c,$(OUTPUT)/san/%.o,$(LIB_SRCS))
HEADERS     := $(wildcard include/airlock/*.h policy/*.h agent/*.h agent/scan/*.h bpf/lib/*.h cli/*.h)

UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
KTEST_SRCS  := $(sort $(wildcard tests/kernel/*.c))
# The connect bench shares the kernel tests' netns and cgroup helpers.
BENCH_SRCS  := $(sort $(filter-out bench/scan_bench.c,$(wildcard bench/*.c))) \
	       tests/kernel/cgroup.c tests/kernel/netns.c

AIRLOCKD    := $(OUTPUT)/airlockd
AIRLOCKCTL  := $(OUTPUT)/airlockctl
SKEL        := $(OUTPUT)/airlock.skel.h

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps demo test test-unit test-cli test-kernel test-fuzz bench bench-ab eval fuzz format lint install clean

all: $(AIRLOCKD) $(AIRLOCKCTL)

deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

$(OUTPUT) $(OUTPUT)/tests $(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

# --- BPF ---------------------------------------------------------------------
$(OUTPUT)/airlock.bpf.o: bpf/airlock.bpf.c $(wildcard bpf/lib/*.h) include/airlock/abi.h $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(SKEL): $(OUTPUT)/airlock.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name airlock_bpf > $@

# --- host objects ------------------------------------------------------------
$(OUTPUT)/obj/%.o: %.c $(HEADERS) $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

$(OUTPUT)/san/%.o: %.c $(HEADERS) $(SKEL)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(OUTPUT)/libairlock.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/libairlock_san.a: $(SAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(AIRLOCKD): $(OUTPUT)/obj/agent/main.o $(OUTPUT)/libairlock.a
	$(call msg,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(HOST_LDLIBS)

$(AIRLOCKCTL): $(patsubst %.c,$(OUTPUT)/obj/%.o,$(CLI_SRCS)) $(OUTPUT)/libairlock.a
	$(call msg,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(HOST_LDLIBS)

# --- tests -------------------------------------------------------------------
$(OUTPUT)/tests/test_%: tests/unit/test_%.c $(OUTPUT)/libairlock_san.a $(HEADERS) $(wildcard tests/unit/*.h) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Itests/unit -o $@ $< $(OUTPUT)/libairlock_san.a \
		$(HOST_LDLIBS) -lcmocka

$(OUTPUT)/tests/kernel_test: $(KTEST_SRCS) $(wildcard tests/kernel/*.h) $(OUTPUT)/libairlock.a $(HEADERS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/kernel -o $@ $(KTEST_SRCS) $(OUTPUT)/libairlock.a \
		$(HOST_LDLIBS) -luring

# Fuzz targets link the pure libraries (policy, scan) built with libFuzzer's
# instrumentation; nothing that needs the kernel.
FUZZ_LIBS := jansson libhs libcrypto
$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(POLICY_SRCS) $(SCAN_SRCS) $(HEADERS) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ipolicy -Iagent -Iagent/scan -Ibpf \
		$(shell pkg-config --cflags $(FUZZ_LIBS)) -o $@ $< $(POLICY_SRCS) $(SCAN_SRCS) \
		$(shell pkg-config --libs $(FUZZ_LIBS))

test: deps
	$(Q)$(MAKE) --no-print-directory test-unit test-cli test-fuzz test-kernel

test-unit: $(UNIT_BINS)
	$(Q)tests/unit/run.sh $(UNIT_BINS)

test-cli: $(AIRLOCKCTL)
	$(Q)tests/cli/test_scan.sh $(AIRLOCKCTL)

test-fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_BINS)

test-kernel: $(AIRLOCKD) $(AIRLOCKCTL) $(OUTPUT)/tests/kernel_test
	$(Q)$(OUTPUT)/tests/kernel_test --airlockd $(AIRLOCKD) --airlockctl $(AIRLOCKCTL)

fuzz: $(FUZZ_BINS)

# --- demo, bench -------------------------------------------------------------
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./deploy/demo.sh $(AIRLOCKD) $(AIRLOCKCTL)

$(OUTPUT)/bench_connect: $(BENCH_SRCS) $(OUTPUT)/libairlock.a $(HEADERS) | $(OUTPUT)
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/kernel -o $@ $(BENCH_SRCS) $(OUTPUT)/libairlock.a $(HOST_LDLIBS) -lpthread

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/bench_connect $(OUTPUT)/bench_scan
	$(Q)$(OUTPUT)/bench_connect --airlockd $(AIRLOCKD)
	$(Q)$(OUTPUT)/bench_scan

# --- scanner: eval on the public vectors, throughput bench ----------------------
# The vectors live beside the repository, never in it (../shared/eval/README.md).
EVAL_DIR ?= $(CURDIR)/../shared/eval

$(OUTPUT)/eval_scan: tests/eval/eval_scan.c $(OUTPUT)/libairlock.a $(HEADERS) | $(OUTPUT)
	$(call msg,EVAL,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(OUTPUT)/libairlock.a $(HOST_LDLIBS)

$(OUTPUT)/bench_scan: bench/scan_bench.c $(OUTPUT)/libairlock.a $(HEADERS) | $(OUTPUT)
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(OUTPUT)/libairlock.a $(HOST_LDLIBS) -lpcre2-8

# Two builds of the scanner in one process: bench/ab.sh REV (see there).
$(OUTPUT)/scan_ab: bench/scan_ab.c $(HEADERS) | $(OUTPUT)
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< -ldl

bench-ab: $(OUTPUT)/bench_scan $(OUTPUT)/scan_ab
	$(Q)bench/ab.sh $(or $(REV),HEAD)

# The analyzers' runner (secrets, injection, e-mail content), when it is there.
EVAL_DETECTORS := $(if $(wildcard tests/eval/eval_detectors.c),$(OUTPUT)/eval_detectors)

$(OUTPUT)/eval_detectors: tests/eval/eval_detectors.c $(OUTPUT)/libairlock.a $(HEADERS) | $(OUTPUT)
	$(call msg,EVAL,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(OUTPUT)/libairlock.a $(HOST_LDLIBS)

eval: $(OUTPUT)/eval_scan $(EVAL_DETECTORS)
	$(Q)if [ -d "$(EVAL_DIR)" ]; then $(OUTPUT)/eval_scan --dir "$(EVAL_DIR)" && \
		{ [ -z "$(EVAL_DETECTORS)" ] || $(EVAL_DETECTORS) "$(EVAL_DIR)"; }; \
	else echo "eval: $(EVAL_DIR) not found; skipping (the public test vectors are not part of the repo)"; fi

# --- hygiene -----------------------------------------------------------------
format:
	$(Q)clang-format -i $(LIB_SRCS) $(CLI_SRCS) agent/main.c $(HEADERS) bpf/*.bpf.c

lint: $(SKEL)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem -Iinclude -Ipolicy -Iagent $(LIB_SRCS) $(CLI_SRCS)

install: all
	install -D -m 0755 $(AIRLOCKD) $(DESTDIR)/usr/local/sbin/airlockd
	install -D -m 0755 $(AIRLOCKCTL) $(DESTDIR)/usr/local/bin/airlockctl

clean:
	$(Q)rm -rf $(OUTPUT)
