/* SPDX-License-Identifier: MIT */
/*
 * The process list in Prometheus's text exposition format, version 0.0.4:
 * one family per line of HELP and TYPE; fcgi_proc's build, procmon
 * itself and the files left out, then one sample per process, labelled
 * with its name.
 */
#ifndef METRICS_H
#define METRICS_H

#include "buf.h"
#include "procmon_client.h"

void	metrics_write(struct buf *, const struct pm_list *);

#endif
