/* SPDX-License-Identifier: MIT */
/*
 * One request, from reading it to its answer and its log lines: what the
 * program's loop, the fuzzer and the benchmark all call.
 */
#ifndef SERVE_H
#define SERVE_H

#include "config.h"
#include "request.h"
#include "respond.h"

/* The API: one row per query key, ended by a row of empty key. */
extern const struct route serve_routes[];

void	serve(const struct config *, struct request *, struct answer *);

#endif
