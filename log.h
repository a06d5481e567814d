/* SPDX-License-Identifier: MIT */
/*
 * The one logger (after slowcgi's struct loggers): lines for people on
 * standard error, the web server's error log, and the audit trail to the
 * local syslog daemon.  One format each:
 *
 *	stderr	"fcgi_proc: TEXT\n"
 *	syslog	"<PRIORITY>fcgi_proc[PID]: TEXT" to /dev/log (RFC 3164: the
 *		daemon stamps the time)
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

#include "buf.h"

#define LOG_NAME	"fcgi_proc"

void	log_stderr(const char *text, size_t len);

/*
 * Never waits: a daemon that is busy, gone or listening on a stream
 * socket (syslog-ng's unix-stream) cannot hold the answer.  What cannot
 * be delivered goes to standard error instead, after one line that says
 * why.
 */
void	log_syslog(int priority, const char *text, size_t len);

/*
 * Outside a request (libfcgi's streams then are not set up): standard
 * error's descriptor; log_fatal() then exits with status 2.
 */
void	log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
_Noreturn void log_fatal(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
