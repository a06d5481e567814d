/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "fcgi_compat.h"

#define SYSLOG_PATH	"/dev/log"

void
log_stderr(const char *text, size_t len)
{
	fprintf(stderr, LOG_NAME ": %.*s\n", (int)len, text);
	fflush(stderr);
}

/*
 * One message to /dev/log over a socket of the given type: a datagram,
 * or on a stream a message ended by a NUL byte, as the C library's
 * syslog() sends it.  0, or -1 with errno.
 */
static int
send_to_syslog(int type, const char *msg, size_t len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	ssize_t sent = -1;
	int fd, saved;

	memcpy(addr.sun_path, SYSLOG_PATH, sizeof SYSLOG_PATH);
	if ((fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
		sent = send(fd, msg, len + (type == SOCK_STREAM), MSG_NOSIGNAL);
	saved = errno;
	close(fd);
	errno = sent == -1 ? saved : EAGAIN;
	return sent == (ssize_t)(len + (type == SOCK_STREAM)) ? 0 : -1;
}

void
log_syslog(int priority, const char *text, size_t len)
{
	static bool said;
	struct buf msg = { 0 };
	int r;

	buf_printf(&msg, "<%d>" LOG_NAME "[%ld]: %.*s", priority,
	    (long)getpid(), (int)len, text);
	buf_addc(&msg, '\0');
	if (msg.failed)
		r = -1;
	else if ((r = send_to_syslog(SOCK_DGRAM, msg.data, msg.len - 1)) ==
	    -1 && errno == EPROTOTYPE)
		r = send_to_syslog(SOCK_STREAM, msg.data, msg.len - 1);
	if (r == -1) {
		if (!said) {
			char note[160];

			snprintf(note, sizeof note, "cannot send the audit "
			    "trail to " SYSLOG_PATH ": %s; it follows here",
			    strerror(errno));
			log_stderr(note, strlen(note));
			said = true;
		}
		log_stderr(text, len);
	}
	buf_free(&msg);
}

static void	warn_outside(const char *, va_list) PRINTF_LIKE(1, 0);

static void
warn_outside(const char *fmt, va_list ap)
{
	dprintf(STDERR_FILENO, LOG_NAME ": ");
	vdprintf(STDERR_FILENO, fmt, ap);
	dprintf(STDERR_FILENO, "\n");
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	warn_outside(fmt, ap);
	va_end(ap);
}

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	warn_outside(fmt, ap);
	va_end(ap);
	exit(2);
}
