/* SPDX-License-Identifier: MIT */
/* fcgi_proc's version: CHANGELOG.md says what each one brought. */
#ifndef VERSION_H
#define VERSION_H

#define FCGI_PROC_VERSION	"1.0.0"

#endif
