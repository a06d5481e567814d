/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's page, www/index.html, built into the program (the
 * Makefile writes dashboard.c from it), so that one file copied to a
 * router serves the API and its page alike.
 */
#ifndef DASHBOARD_H
#define DASHBOARD_H

#include <stddef.h>

extern const unsigned char dashboard_html[];
extern const size_t	dashboard_html_len;

#endif
