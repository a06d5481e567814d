# fcgi_proc
#
#   make              the plain CGI program: nothing beyond libc
#   make FCGI=1       the same sources against libfcgi (fcgi2's fcgi_stdio.h):
#                     a persistent FastCGI responder that still answers one
#                     request when run as CGI or from a shell
#   make STATIC=1     a static executable (CC=musl-gcc: no C library needed
#                     on the device)
#   make CC=mips-linux-gnu-gcc
#                     cross-compiled, test programs too (with O=DIR)
#   make O=DIR        build into DIR (the tests keep each flavour apart)
#   make check        every test; see tests/run
#   make install      to $(DESTDIR)$(PREFIX)/bin, the man page to .../man8

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
O	?= .
FCGI	?= 0
STATIC	?= 0

CC	?= cc
# Small by default, for routers: -Os, no unwind tables (C has no
# exceptions; -g keeps what a debugger needs), and no page of padding
# between code and data in the file.
CFLAGS	?= -Os -g -fno-asynchronous-unwind-tables
LDFLAGS	?= -Wl,-z,noseparate-code
WARN	 = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2
# Large files always: on 32-bit targets readdir() and stat() otherwise fail
# with EOVERFLOW on large inode numbers.  time_t stays as the toolchain
# gives it: procmon's lockfile header holds one, and fcgi_proc must read
# it as the procmon beside it, built with the same toolchain, writes it.
CPPFLAGS += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64

# Selected by FCGI=0/1 and STATIC=0/1 without conditionals, so any make
# reads this file.
FCGI_CPPFLAGS_1	= -DWITH_FCGI
FCGI_LDLIBS_1	= -lfcgi
STATIC_LDFLAGS_1 = -static
ALL_CFLAGS	= $(WARN) $(CPPFLAGS) $(FCGI_CPPFLAGS_$(FCGI)) $(CFLAGS)
ALL_LDFLAGS	= $(LDFLAGS) $(STATIC_LDFLAGS_$(STATIC))
ALL_LDLIBS	= $(LDLIBS) $(FCGI_LDLIBS_$(FCGI))

LIB_SRCS = request.c policy.c actions.c respond.c procmon_client.c \
	   holder.c refresh.c proc_stat.c metrics.c json_out.c buf.c \
	   query.c names.c
HEADERS	 = $(LIB_SRCS:.c=.h) fcgi_compat.h
LIB_OBJS = $(LIB_SRCS:%.c=$(O)/%.o)

all: $(O)/fcgi_proc

$(O)/fcgi_proc: $(O)/fcgi_proc.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(O)/fcgi_proc.o $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/%.o: %.c $(HEADERS) $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Rebuilds everything when the compiler, flags or flavour change.
$(O)/.build-flags: FORCE
	@mkdir -p $(O)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(ALL_LDLIBS)' | \
	    cmp -s - $@ || \
	    echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(ALL_LDLIBS)' > $@

# Test programs: unit tests of the three library modules, the
# procmon-faithful supervisor, a helper that asks who holds a lock, and
# one that gives a chosen pid to a stranger.
# --wrap lets the tests step in between a lock check and the signal,
# before a look at a file, and when memory runs out.
$(O)/unit: tests/unit.c tests/check.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -Wl,--wrap=syscall \
	    -Wl,--wrap=fstatat -Wl,--wrap=fstatat64 -Wl,--wrap=realloc \
	    -I. -o $@ \
	    tests/unit.c $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/requests: tests/requests.c tests/check.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -I. -o $@ tests/requests.c \
	    $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/pmsup: tests/pmsup.c $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/pmsup.c

$(O)/lockfile: tests/lockfile.c procmon_client.h $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/lockfile.c

$(O)/listcost: bench/listcost.c $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -I. -o $@ bench/listcost.c \
	    $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/takepid: tests/takepid.c $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/takepid.c

# libFuzzer harnesses (clang): `make fuzz` fuzzes each for FUZZ_SECONDS,
# starting from the corpus in tests/fuzz/corpus/, which also holds every
# input that ever crashed one (tests/run replays them all).
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
FUZZ_FLAGS	 = -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=all $(WARN) $(CPPFLAGS) -I.
FUZZ_DIR	 = tests/build/fuzz
FUZZERS		 = query lockfile request

fuzzers: $(FUZZERS:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRCS) $(HEADERS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_$*.c $(LIB_SRCS)

fuzz: fuzzers
	@for f in $(FUZZERS); do \
		mkdir -p $(FUZZ_DIR)/work-$$f; \
		log=$(FUZZ_DIR)/fuzz_$$f.log; \
		if $(FUZZ_DIR)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
		    -timeout=10 -print_final_stats=1 \
		    -artifact_prefix=$(FUZZ_DIR)/$$f- \
		    $(FUZZ_DIR)/work-$$f tests/fuzz/corpus/$$f >$$log 2>&1; then \
			echo "fuzz_$$f: $$(grep -h '^Done' $$log)"; \
		else \
			tail -40 $$log; echo "fuzz_$$f FAILED: see $$log"; exit 1; \
		fi; \
	done

check:
	tests/run

bench:
	bench/run

install: $(O)/fcgi_proc
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	cp $(O)/fcgi_proc $(DESTDIR)$(BINDIR)/fcgi_proc
	chmod 755 $(DESTDIR)$(BINDIR)/fcgi_proc
	cp fcgi_proc.8 $(DESTDIR)$(MANDIR)/man8/fcgi_proc.8
	chmod 644 $(DESTDIR)$(MANDIR)/man8/fcgi_proc.8

clean:
	rm -f fcgi_proc unit requests pmsup lockfile takepid listcost *.o \
	    .build-flags
	rm -rf build tests/build

FORCE:
.PHONY: all bench check fuzz fuzzers install clean FORCE
