/* SPDX-License-Identifier: MIT */
/*
 * One source, two programs.  Built with -DWITH_FCGI, stdio is fcgi2's
 * fcgi_stdio.h, so the same printf/fread calls speak FastCGI when the web
 * server runs us as a persistent responder, and plain stdio otherwise.
 * Built without it, FCGI_Accept() below stands in for libfcgi's: it says
 * "one request" once, which is exactly the CGI life cycle (RFC 3875), and
 * FCGI_Finish() sends what was written.
 *
 * Include this header last: fcgi_stdio.h redefines FILE, stdout and the
 * stdio functions, and must not reach other headers' prototypes.
 */
#ifndef FCGI_COMPAT_H
#define FCGI_COMPAT_H

#ifdef WITH_FCGI
#include <fcgi_stdio.h>

/* False once a FastCGI listening socket is our standard input. */
static inline int
fcgi_is_cgi(void)
{
	return FCGX_IsCGI();
}
#else
#include <stdio.h>

static inline int
FCGI_Accept(void)
{
	static int accepted;

	return accepted++ ? -1 : 0;
}

static inline void
FCGI_Finish(void)
{
	fflush(stdout);
}

static inline int
fcgi_is_cgi(void)
{
	return 1;
}
#endif

#endif
