# Partner Portal backend. `make` builds bin/portal-api and bin/portal-worker;
# `make run` starts a demo; `make test` runs every test.

CC		?= cc
BUILD		?= release
PKGS		 = libcjson sqlite3 libcurl libjwt libxcrypt icu-uc icu-i18n gmime-3.0 \
		   libcrypto libpq

WARN		 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wpointer-arith -Wformat=2 \
		   -Wno-format-nonliteral -fno-common
CPPFLAGS	+= -D_GNU_SOURCE -MMD -MP
CFLAGS_BASE	 = -std=c11 $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS		 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcivetweb \
		   -lpthread -lm

ifeq ($(BUILD),asan)
OPT		 = -O1 -g -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS		+= -fsanitize=address,undefined
BINDIR		 = build/asan/bin
else
OPT		 = -O2 -g
BINDIR		 = bin
endif
CFLAGS		?=
CFLAGS		+= $(CFLAGS_BASE) $(OPT)
OBJDIR		 = build/$(BUILD)

# The store's backends, each a folder of common/ (common/sqlite/*.c).
STORE_BACKENDS	 = sqlite pg
COMMON_SRC	 = $(wildcard common/*.c) \
		   $(foreach b,$(STORE_BACKENDS),$(wildcard common/$(b)/*.c))
API_SRC		 = $(wildcard api/*.c)
WORKER_SRC	 = $(wildcard worker/*.c)
GEN_SRC		 = $(OBJDIR)/gen/schema_sql.c $(OBJDIR)/gen/openapi_yaml.c

COMMON_OBJ	 = $(COMMON_SRC:%.c=$(OBJDIR)/%.o) $(OBJDIR)/gen/schema_sql.o \
		   $(if $(filter pg,$(STORE_BACKENDS)),$(OBJDIR)/gen/pg_schema_sql.o)
API_OBJ		 = $(API_SRC:%.c=$(OBJDIR)/%.o) $(OBJDIR)/gen/openapi_yaml.o
WORKER_OBJ	 = $(WORKER_SRC:%.c=$(OBJDIR)/%.o)
# Worker modules without main(), for the unit tests.
WORKER_LIB_OBJ	 = $(filter-out $(OBJDIR)/worker/main.o,$(WORKER_OBJ))

UNIT_SRC	 = $(wildcard tests/unit/test_*.c)
UNIT_BIN	 = $(UNIT_SRC:tests/unit/%.c=$(OBJDIR)/tests/%)

.PHONY: all binaries asan deps test unit integration contract client run \
	cluster bench \
	fuzz clean deps-check

all: deps-check binaries

binaries: $(BINDIR)/portal-api $(BINDIR)/portal-worker

$(BINDIR)/portal-api: $(API_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BINDIR)/portal-worker: $(WORKER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(OBJDIR)/gen/%.o: $(OBJDIR)/gen/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(OBJDIR)/gen/schema_sql.c: schema.sql scripts/embed
	@mkdir -p $(@D)
	sh scripts/embed schema_sql $< > $@

$(OBJDIR)/gen/pg_schema_sql.c: common/pg/schema.sql scripts/embed
	@mkdir -p $(@D)
	sh scripts/embed pg_schema_sql $< > $@

$(OBJDIR)/gen/openapi_yaml.c: openapi.yaml scripts/embed
	@mkdir -p $(@D)
	sh scripts/embed openapi_yaml $< > $@

$(OBJDIR)/tests/test_%: tests/unit/test_%.c $(COMMON_OBJ) $(WORKER_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) \
	    $(LDLIBS) -lcmocka
# The API's modules its tests take besides.
$(OBJDIR)/tests/test_preference_cache: $(OBJDIR)/api/preference_cache.o

# One store operation per run on PORTAL_DB, for the PostgreSQL store's
# tests (tests/integration/test_pg_store_mail.py builds it).
$(OBJDIR)/tests/pg_store_driver: tests/integration/pg_store_driver.c \
    $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) \
	    $(LDLIBS)

# The digest benchmark's seeder (scripts/bench-digest builds it).
$(OBJDIR)/tests/seed_digest: tests/bench/seed_digest.c $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) \
	    $(LDLIBS)

# The digest benchmark's rendering yardstick (scripts/bench-digest).
$(OBJDIR)/tests/render_mail: tests/bench/render_mail.c $(COMMON_OBJ) \
    $(WORKER_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) \
	    $(LDLIBS)

asan:
	$(MAKE) BUILD=asan binaries

# Installs what is missing (as root), then nothing on later runs.
deps:
	sh scripts/install-deps

deps-check:
	@sh scripts/install-deps --check || sh scripts/install-deps

# The parts of `make test`, each on both builds.
unit: deps-check
	$(MAKE) $(UNIT_BIN)
	$(MAKE) BUILD=asan $(UNIT_BIN:build/release/%=build/asan/%)
	sh scripts/run-tests unit

# The integration suites, then the contract check of what they recorded.
integration: deps-check
	$(MAKE) binaries
	$(MAKE) BUILD=asan binaries
	sh scripts/run-tests integration contract

contract:
	sh scripts/lint-openapi

# The typed TypeScript client as an npm package: build/client and
# build/partner-portal-client-VERSION.tgz.
client:
	sh scripts/client/build

# Every test: unit tests, the integration suite on the normal build and
# again under AddressSanitizer and UndefinedBehaviorSanitizer, and the
# contract lint.
test: deps-check
	$(MAKE) binaries
	$(MAKE) $(UNIT_BIN)
	$(MAKE) BUILD=asan binaries $(UNIT_BIN:build/release/%=build/asan/%)
	sh scripts/run-tests

run: deps-check binaries
	sh scripts/dev-run

# The same on PostgreSQL as several processes behind nginx (README).
cluster: deps-check binaries
	sh scripts/cluster

bench: deps-check binaries
	sh scripts/bench
	BENCH_USERS=$${BENCH_USERS:-100000} sh scripts/bench-digest
	python3 scripts/bench-goals.py build/bench

fuzz:
	sh scripts/fuzz

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
