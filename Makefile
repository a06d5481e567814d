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
#   make check        the quick tests, in seconds (tests/check); tests/run
#                     is every test
#   make install      the program, stripped (the FastCGI build where libfcgi
#                     is installed: it answers CGI too), its man page, the
#                     systemd units, the alert rules, README, CHANGELOG,
#                     LICENSE and SECURITY.md, under
#                     $(DESTDIR)$(PREFIX); make uninstall removes them
#
# SPDX-License-Identifier: MIT

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/fcgi_proc
DOCDIR	?= $(PREFIX)/share/doc/fcgi_proc
UNITDIR	?= $(PREFIX)/lib/systemd/system
STRIP	?= strip
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
# it as the procmon beside it, built with the same toolchain, writes it
# (make CPPFLAGS=-D_TIME_BITS=64 for a procmon built so: these stay).
override CPPFLAGS += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64

# Selected by FCGI=0/1 and STATIC=0/1 without conditionals, so any make
# reads this file.
FCGI_CPPFLAGS_1	= -DWITH_FCGI
FCGI_LDLIBS_1	= -lfcgi
STATIC_LDFLAGS_1 = -static
ALL_CFLAGS	= $(WARN) $(CPPFLAGS) $(FCGI_CPPFLAGS_$(FCGI)) $(CFLAGS)
ALL_LDFLAGS	= $(LDFLAGS) $(STATIC_LDFLAGS_$(STATIC))
ALL_LDLIBS	= $(LDLIBS) $(FCGI_LDLIBS_$(FCGI))

# Each module, from the request down to the bytes; every one but the
# program itself goes into the tests too.
LIB_SRCS = serve.c request.c policy.c show.c act.c proc_json.c metrics.c \
	   audit.c respond.c log.c procmon_client.c header.c holder.c \
	   family.c pidfd.c proc_stat.c json_out.c buf.c query.c names.c \
	   text.c
HEADERS	 = $(LIB_SRCS:.c=.h) config.h dashboard.h fcgi_compat.h version.h
LIB_OBJS = $(LIB_SRCS:%.c=$(O)/%.o) $(O)/dashboard.o

all: $(O)/fcgi_proc

$(O)/fcgi_proc: $(O)/fcgi_proc.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(O)/fcgi_proc.o $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/%.o: %.c $(HEADERS) $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The dashboard's page, built into the program, as the numbers of its
# bytes: nothing in it needs escaping, and no string grows past what
# ISO C promises to hold.
EMBED_PAGE = { echo '/* Written by make from www/index.html: edit that. */'; \
	  echo '\#include "dashboard.h"'; \
	  echo 'const unsigned char dashboard_html[] = {'; \
	  od -A n -v -t u1 www/index.html | \
	      sed -e 's/^ *//' -e 's/  */,/g' -e 's/$$/,/'; \
	  echo '};'; \
	  echo 'const size_t dashboard_html_len = sizeof dashboard_html;'; \
	} >$@

$(O)/dashboard.c: www/index.html Makefile
	@mkdir -p $(O)
	@$(EMBED_PAGE)

$(O)/dashboard.o: $(O)/dashboard.c dashboard.h $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) -I. -c -o $@ $(O)/dashboard.c

# Rebuilds everything when the compiler, flags or flavour change.
$(O)/.build-flags: FORCE
	@mkdir -p $(O)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(ALL_LDLIBS)' | \
	    cmp -s - $@ || \
	    echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(ALL_LDLIBS)' > $@

# Test programs: the unit tests (tests/unit/, one file per module), the
# request grammar's table, the procmon-faithful supervisor, a tool that
# reads and forges lockfiles, and one that gives a chosen pid to a
# stranger.  --wrap lets the unit tests step in between a lock check and
# the signal, before a look at a file (under each name the C library may
# give fstatat), at a writer's first write, and when memory runs out.
UNIT_SRCS = $(wildcard tests/unit/*.c) tests/check.c
UNIT_WRAPS = -Wl,--wrap=syscall -Wl,--wrap=realloc \
	     -Wl,--wrap=fstatat -Wl,--wrap=fstatat64 \
	     -Wl,--wrap=__fstatat64_time64 -Wl,--wrap=__fstatat_time64 \
	     -Wl,--wrap=pwrite -Wl,--wrap=pwrite64

$(O)/unit: $(UNIT_SRCS) tests/unit/unit.h tests/check.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(UNIT_WRAPS) -I. -Itests \
	    -o $@ $(UNIT_SRCS) $(LIB_OBJS) $(ALL_LDLIBS) -lpthread

$(O)/requests: tests/requests.c tests/check.c tests/check.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -I. -o $@ tests/requests.c \
	    tests/check.c $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/pmsup: tests/tools/pmsup.c $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/tools/pmsup.c

$(O)/lockfile: tests/tools/lockfile.c header.h holder.h $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/tools/lockfile.c

$(O)/listcost: bench/listcost.c $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -I. -o $@ bench/listcost.c \
	    $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/takepid: tests/tools/takepid.c $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/tools/takepid.c

# libFuzzer harnesses (clang): `make fuzz` fuzzes each for FUZZ_SECONDS,
# starting from the corpus in tests/fuzz/corpus/, which also holds every
# input that ever crashed one (tests/run replays them all).
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
FUZZ_FLAGS	 = -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=all $(WARN) $(CPPFLAGS) -I. \
		   -Wl,--wrap=nanosleep -Wl,--wrap=clock_gettime
FUZZ_DIR	 = tests/build/fuzz
FUZZERS		 = query lockfile request

fuzzers: $(FUZZERS:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/clock.c $(LIB_SRCS) \
    $(HEADERS) $(FUZZ_DIR)/dashboard.c
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/clock.c \
	    $(LIB_SRCS) $(FUZZ_DIR)/dashboard.c

$(FUZZ_DIR)/dashboard.c: www/index.html Makefile
	@mkdir -p $(FUZZ_DIR)
	@$(EMBED_PAGE)

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
	tests/check

bench:
	bench/run

# What install builds: the FastCGI build where fcgi_stdio.h is found (the
# one binary the README runs every way), otherwise the plain one.
INSTALL_O = $(O)/build/install
HAVE_FCGI = printf '\043include <fcgi_stdio.h>\n' | $(CC) $(CPPFLAGS) -E - \
	    >/dev/null 2>&1 && echo 1 || echo 0

install:
	$(MAKE) O=$(INSTALL_O) FCGI=$$($(HAVE_FCGI)) $(INSTALL_O)/fcgi_proc
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	$(STRIP) -o $(DESTDIR)$(BINDIR)/fcgi_proc $(INSTALL_O)/fcgi_proc
	chmod 755 $(DESTDIR)$(BINDIR)/fcgi_proc
	cp fcgi_proc.8 $(DESTDIR)$(MANDIR)/man8/fcgi_proc.8
	cp prometheus/alerts.yml $(DESTDIR)$(DATADIR)/alerts.yml
	cp README.md CHANGELOG.md LICENSE SECURITY.md $(DESTDIR)$(DOCDIR)/
	for u in fcgi_proc.socket fcgi_proc.service; do \
		sed 's|/usr/local/bin/fcgi_proc|$(BINDIR)/fcgi_proc|' \
		    docs/systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	chmod 644 $(DESTDIR)$(MANDIR)/man8/fcgi_proc.8 \
	    $(DESTDIR)$(DATADIR)/alerts.yml $(DESTDIR)$(DOCDIR)/* \
	    $(DESTDIR)$(UNITDIR)/fcgi_proc.socket \
	    $(DESTDIR)$(UNITDIR)/fcgi_proc.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fcgi_proc $(DESTDIR)$(MANDIR)/man8/fcgi_proc.8 \
	    $(DESTDIR)$(DATADIR)/alerts.yml \
	    $(DESTDIR)$(UNITDIR)/fcgi_proc.socket \
	    $(DESTDIR)$(UNITDIR)/fcgi_proc.service
	rm -f $(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/CHANGELOG.md \
	    $(DESTDIR)$(DOCDIR)/LICENSE $(DESTDIR)$(DOCDIR)/SECURITY.md
	-rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -f fcgi_proc unit requests pmsup lockfile takepid listcost *.o \
	    dashboard.c .build-flags
	rm -rf build tests/build

FORCE:
.PHONY: all bench check fuzz fuzzers install uninstall clean FORCE
