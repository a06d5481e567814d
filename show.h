/* SPDX-License-Identifier: MIT */
/*
 * The routes that only look: the list, one process, the metrics, procmon
 * itself, and the dashboard page.
 */
#ifndef SHOW_H
#define SHOW_H

#include "request.h"

route_run	show_list, show_status, show_metrics, show_procmon,
		show_dashboard;

#endif
