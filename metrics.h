/*
 * The process list in Prometheus's text exposition format, version 0.0.4:
 * one family per line of HELP and TYPE, one sample per process, labelled
 * with its name.
 */
#ifndef METRICS_H
#define METRICS_H

#include "procmon_client.h"
#include "fcgi_compat.h"

void	metrics_write(FILE *, const struct pm_list *);

#endif
