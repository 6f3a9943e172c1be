# liveblog — plain Makefile. `make` builds build/liveblogd and build/liveblog.
# Knobs: SANITIZER=address|undefined|address,undefined  OPT=-O2  V=1

CC        ?= cc
OPT       ?= -O2
PREFIX    ?= /usr/local
BUILD     ?= build
PKGS      := libwebsockets hiredis jansson uuid libcrypto zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lpthread
WARN      := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
             -Wvla -Wwrite-strings -Wformat-security -Wno-unused-parameter
ifneq ($(SANITIZER),)
SAN_FLAGS := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
ALL_CFLAGS = -std=gnu11 $(OPT) -g $(WARN) $(SAN_FLAGS) -MMD -MP \
             -Iinclude -Isrc -I$(BUILD)/gen -DLIVEBLOG_VERSION='"$(VERSION)"' \
             $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

DAEMON_SRC := $(filter-out src/liveblogd.c,$(wildcard src/*.c src/*/*.c))
COMMON_SRC := $(wildcard src/common/*.c)
CLIENT_SRC := $(wildcard clients/liveblog/*.c)
LUA        := $(wildcard src/store/scripts/*.lua)
WWW        := $(filter-out www/i18n,$(wildcard www/*)) $(wildcard www/i18n/*.json)

DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/scripts.o
DAEMON_OBJ += $(BUILD)/obj/gen/www.o
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)


.DELETE_ON_ERROR:
.PHONY: all clean test unit-test integration-test browser-test install demo \
        valgrind bench bench-compare bench-instances fuzz deps run
all: $(BUILD)/liveblogd $(BUILD)/liveblog

$(BUILD)/liveblogd: $(BUILD)/obj/src/liveblogd.o $(DAEMON_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/liveblog: $(CLIENT_OBJ) $(COMMON_OBJ) $(BUILD)/obj/src/status.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Each .lua file becomes a C string constant named lua_<file> (tools/embed-lua.sh).
$(BUILD)/gen/scripts.c: $(LUA) tools/embed-lua.sh
	@mkdir -p $(dir $@)
	sh tools/embed-lua.sh $(LUA) > $@

$(BUILD)/obj/gen/scripts.o: $(BUILD)/gen/scripts.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Each file of www/ becomes bytes + MIME type + ETag in one table
# (tools/embed-www.sh, src/http/assets.c): liveblogd needs no www/ on disk.
# The directory is a prerequisite too, so a removed file leaves the table.
$(BUILD)/gen/www.c: $(WWW) www $(wildcard www/i18n) tools/embed-www.sh
	@mkdir -p $(dir $@)
	sh tools/embed-www.sh $(WWW) > $@

$(BUILD)/obj/gen/www.o: $(BUILD)/gen/www.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Unit tests link only the pure modules (no event loop, no app state).
UNIT_OBJ := $(addprefix $(BUILD)/obj/src/,config.o status.o common/codec.o \
            common/hash.o common/text.o http/router.o http/page.o) \
            $(BUILD)/obj/src/http/assets.o $(BUILD)/obj/gen/www.o
UNIT_OBJ += $(BUILD)/obj/src/common/image.o
UNIT_OBJ += $(BUILD)/obj/src/common/linkify.o
UNIT_OBJ += $(BUILD)/obj/src/store/redis_url.o
UNIT_OBJ += $(BUILD)/obj/src/common/lang.o $(BUILD)/obj/src/http/i18n.o \
            $(BUILD)/obj/src/http/page_ld.o $(BUILD)/obj/src/http/page_feed.o \
            $(BUILD)/obj/src/http/page_fragment.o
UNIT_OBJ += $(BUILD)/obj/src/store/sentinel_msg.o
UNIT_OBJ += $(addprefix $(BUILD)/obj/src/,http/clientaddr.o http/head.o)
UNIT_OBJ += $(BUILD)/obj/src/http/origin.o
$(BUILD)/tests/%: tests/unit/%.c $(UNIT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lm

# The hub alone: the push side against the fakes of tests/fakes/ (an
# in-memory store, a hand-moved clock, recording connections).
HUB_TEST_OBJ := $(addprefix $(BUILD)/obj/src/,push/hub.o push/reader.o push/pages.o \
                push/ring.o push/frame.o push/pmd.o cache.o shared.o status.o common/codec.o \
                common/text.o common/hash.o common/lang.o) \
                $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/fakes/*.c))
$(BUILD)/tests/test_hub: tests/unit/test_hub.c $(HUB_TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lm

# A driver of the Redis store's operations for tests (tests/store/): runs
# one op against a real Redis, such as media_gc that no route exposes yet.
STORE_CLI_OBJ := $(addprefix $(BUILD)/obj/src/,store/redis_store.o store/redis_conn.o \
                 store/redis_reply.o store/redis_url.o shared.o status.o common/codec.o \
                 common/text.o common/hash.o common/lang.o) $(BUILD)/obj/gen/scripts.o
STORE_CLI_OBJ += $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out src/store/redis_store.c \
                 src/store/redis_conn.c src/store/redis_reply.c src/store/redis_url.c \
                 src/store/feed.c,$(wildcard src/store/*.c)))
$(BUILD)/tests/store_cli: tests/store/store_cli.c $(STORE_CLI_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
all: $(BUILD)/tests/store_cli

# The README's test command: installs what it needs, then runs every layer.
test:
	sh tests/run.sh

unit-test: $(UNIT_BIN)
	sh tests/unit/run.sh $(UNIT_BIN)

integration-test: all
	sh tests/integration/run.sh

browser-test: all
	sh tests/browser/run.sh

deps:
	sh tools/install-deps.sh

# Posts the demo article as a liveblog a few seconds apart, ends it, serves it.
demo:
	sh tools/install-deps.sh demo
	$(MAKE) all
	sh tools/demo.sh

# The README's first command: install, build, serve with an embedded Redis.
run:
	sh tools/install-deps.sh run
	$(MAKE) all
	./$(BUILD)/liveblogd $(ARGS)

# The binaries only: the pages are compiled into liveblogd.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/liveblogd $(BUILD)/liveblog $(DESTDIR)$(PREFIX)/bin/

# Load tools (bench/*.c, one program per file, plain libc + epoll; zlib to
# inflate permessage-deflate).
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
bench: all $(BENCH_BIN)

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $< -lm -lpthread -lz

bench-compare: bench
	sh bench/compare.sh

# issue 15 item 5: 1, 2, 4 liveblogd x 5,000 readers on one Redis
bench-instances: bench
	sh bench/instances.sh

# libFuzzer targets (clang): tests/fuzz/fuzz_X.c → build/fuzz/fuzz_X, compiled
# from source with the parsers of untrusted bytes so coverage reaches them.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_LIB := src/common/codec.c src/common/text.c src/common/hash.c src/status.c \
            src/http/router.c clients/liveblog/reply.c \
            src/http/assets.c $(BUILD)/gen/www.c
FUZZ_LIB += src/common/image.c
FUZZ_LIB += src/common/linkify.c src/http/page.c src/http/page_ld.c
FUZZ_LIB += clients/liveblog/b64.c
FUZZ_LIB += src/store/redis_url.c
FUZZ_LIB += src/common/lang.c src/http/origin.c
FUZZ_LIB += src/store/sentinel_msg.c
FUZZ_LIB += src/http/head.c src/http/clientaddr.c
FUZZ_LIB += src/push/pmd.c
FUZZ_SECONDS ?= 20
fuzz: $(FUZZ_BIN)
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# The parsers are compiled once (instrumented, not linked with libFuzzer's
# main) and linked into every target.
FUZZ_OBJ := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_LIB))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Iinclude -Isrc -Iclients/liveblog \
               -DLIVEBLOG_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)

valgrind: all
	LIVEBLOG_VALGRIND=1 sh tests/integration/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)
