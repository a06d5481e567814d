/*
 * The list a persistent responder keeps, refreshed cheaply: a directory
 * of 100,000 files, planted by anyone who may write /tmp, is read again
 * only when something could have changed the list, not on every request.
 */
#ifndef REFRESH_H
#define REFRESH_H

#include <stdbool.h>
#include <sys/types.h>

#include "procmon_client.h"

/* Zero it before first use; pm_kept_free() closes and frees everything. */
struct pm_kept {
	struct pm_list	 list;
	const char	*dir;		/* where list was read: the caller's */
	bool		 listed;	/* once at least: worth a watch */
	bool		 watching;	/* watch is an inotify descriptor */
	int		 watch;
	dev_t		 dev;		/* the directory watched */
	ino_t		 ino;
	unsigned long	 reads;		/* full reads of the directory */
};

enum pm_status	 pm_refresh(const char *dir, struct pm_kept *);
void		 pm_kept_free(struct pm_kept *);

#endif
