/* SPDX-License-Identifier: MIT */
/*
 * The floor of the FastCGI path: a libfcgi responder that answers every
 * request with fcgi_proc's header lines and a fixed body of BODY_SIZE
 * bytes, doing nothing else.  fcgi_proc's ?list is measured against it:
 * with the same bytes to carry, the difference is the list's own cost.
 */
#include <string.h>

#include <fcgi_stdio.h>

#ifndef BODY_SIZE
#define BODY_SIZE 300
#endif

int
main(void)
{
	static char body[BODY_SIZE + 1];

	memset(body, 'x', BODY_SIZE);
	while (FCGI_Accept() >= 0)
		printf("Status: 200 OK\r\n"
		    "Content-Type: application/json; charset=utf-8\r\n"
		    "Cache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n"
		    "X-Frame-Options: DENY\r\n"
		    "Content-Security-Policy: default-src 'none'; "
		    "frame-ancestors 'none'\r\n\r\n%s", body);
	return 0;
}
