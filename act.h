/* SPDX-License-Identifier: MIT */
/*
 * The routes that act: start, stop and restart, with their wait and grace,
 * on one name or several at once.
 */
#ifndef ACT_H
#define ACT_H

#include "request.h"

route_run	act_start, act_stop, act_restart;

#endif
