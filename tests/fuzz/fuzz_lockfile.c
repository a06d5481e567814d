/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: the lockfile reader, on any file contents.  The bytes
 * become a lockfile beside procmon's; the list must read it (or leave it
 * out), its JSON must be written, and every action must answer, without
 * a signal: nothing holds the file's lock.  A file whose header does not
 * read as ours is never written to.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "procmon_client.h"
#include "json_out.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/fcgi_proc-fuzz.XXXXXX";
static char path[sizeof dir + 32];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/procmon.fuzz", dir);
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pm_action actions[] = { PM_START, PM_STOP,
	    PM_RESTART };
	static const struct pm_procmon none = { PM_PROCMON_ABSENT, { 0, 0 } };
	struct pm_config cfg = { dir, { 0 }, 0, false, false };
	char since[PM_SINCE_MAX], why[PM_WHY_MAX];
	struct pm_deed deed;
	struct header head;
	bool ours;
	struct pm_list list;
	struct buf text = { 0 };
	struct json j;
	size_t i;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	header_read(data, size, &head);
	ours = head.fit == HEADER_OURS;
	cfg.trusted[cfg.ntrusted++] = geteuid();
	if (pm_list(&cfg, &list, why) == PM_OK) {
		json_init(&j, &text);
		json_array_open(&j);
		for (i = 0; i < list.count; i++) {
			const struct pm_proc *p = &list.procs[i];

			pm_format_since(since, sizeof since, p->head.starttime,
			    time(NULL));
			json_object_open(&j);
			json_key(&j, "name");
			json_cstring(&j, p->name);
			json_key(&j, "since");
			json_cstring(&j, since);
			json_key(&j, "exec");
			json_string(&j, p->exec != NULL ? p->exec : "",
			    p->exec_len);
			json_object_close(&j);
			if (pm_running(p))
				abort();	/* nobody holds the lock */
		}
		json_array_close(&j);
		pm_list_free(&list);
		buf_free(&text);
	}
	for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		enum pm_status status = pm_begin(&cfg, &none, "fuzz",
		    actions[i], false, &deed);

		if (status == PM_OK &&
		    (pm_finish(&cfg, &deed) != PM_OK || deed.out.killed != 0))
			abort();
		pm_deed_free(&deed);
	}
	/* A header that is not ours is never written to. */
	if (!ours) {
		unsigned char after[64];

		if ((fd = open(path, O_RDONLY)) == -1)
			abort();
		if (read(fd, after, sizeof after) != (ssize_t)(size < 64 ?
		    size : 64) || memcmp(after, data, size < 64 ? size : 64) != 0)
			abort();
		close(fd);
	}
	return 0;
}
