# fcgi_proc
#
#   make              the plain CGI program: nothing beyond libc
#   make FCGI=1       the same sources against libfcgi (fcgi2's fcgi_stdio.h):
#                     a persistent FastCGI responder that still answers one
#                     request when run as CGI or from a shell
#   make O=DIR        build into DIR (the tests keep each flavour apart)
#   make check        every test; see tests/run
#   make install      to $(DESTDIR)$(PREFIX)/bin

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
O	?= .
FCGI	?= 0

CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2
CPPFLAGS += -D_DEFAULT_SOURCE

# Selected by FCGI=0/1 without conditionals, so any make reads this file.
FCGI_CPPFLAGS_1	= -DWITH_FCGI
FCGI_LDLIBS_1	= -lfcgi
ALL_CFLAGS	= $(WARN) $(CPPFLAGS) $(FCGI_CPPFLAGS_$(FCGI)) $(CFLAGS)
ALL_LDLIBS	= $(LDLIBS) $(FCGI_LDLIBS_$(FCGI))

LIB_SRCS = procmon_client.c query.c json_out.c
HEADERS	 = procmon_client.h query.h json_out.h fcgi_compat.h
LIB_OBJS = $(LIB_SRCS:%.c=$(O)/%.o)

all: $(O)/fcgi_proc

$(O)/fcgi_proc: $(O)/fcgi_proc.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(O)/fcgi_proc.o $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/%.o: %.c $(HEADERS) $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Rebuilds everything when the compiler, flags or flavour change.
$(O)/.build-flags: FORCE
	@mkdir -p $(O)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(ALL_LDLIBS)' | \
	    cmp -s - $@ || \
	    echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(ALL_LDLIBS)' > $@

# Test programs: unit tests of the three library modules, the
# procmon-faithful supervisor, and a helper that asks who holds a lock.
# --wrap lets the tests step in between a lock check and the signal.
$(O)/unit: tests/unit.c $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,--wrap=syscall -I. -o $@ \
	    tests/unit.c $(LIB_OBJS) $(ALL_LDLIBS)

$(O)/pmsup: tests/pmsup.c $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/pmsup.c

$(O)/lockfile: tests/lockfile.c procmon_client.h $(O)/.build-flags
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/lockfile.c

check:
	tests/run

install: $(O)/fcgi_proc
	mkdir -p $(DESTDIR)$(BINDIR)
	cp $(O)/fcgi_proc $(DESTDIR)$(BINDIR)/fcgi_proc
	chmod 755 $(DESTDIR)$(BINDIR)/fcgi_proc

clean:
	rm -f fcgi_proc unit pmsup lockfile *.o .build-flags
	rm -rf build tests/build

FORCE:
.PHONY: all check install clean FORCE
