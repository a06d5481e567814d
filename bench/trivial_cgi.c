/* SPDX-License-Identifier: MIT */
/*
 * The floor of the CGI path: a C program that writes fcgi_proc's header
 * lines and a fixed body of BODY_SIZE bytes, and exits.  fcgi_proc's
 * ?list as CGI is measured against it.
 */
#include <stdio.h>
#include <string.h>

#ifndef BODY_SIZE
#define BODY_SIZE 300
#endif

int
main(void)
{
	static char body[BODY_SIZE + 1];

	memset(body, 'x', BODY_SIZE);
	printf("Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "frame-ancestors 'none'\r\n\r\n%s", body);
	return 0;
}
