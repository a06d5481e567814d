/*
 * What a list costs inside the process, as the supervised set grows:
 * the list and the JSON of every entry, written to /dev/null, timed over
 * many rounds, both read afresh (pm_list(), as a CGI run) and refreshed
 * with nothing changed between (pm_refresh(), as the persistent
 * responder); and what unrelated files in the directory add to a list
 * read afresh, against a bare readdir() of the same directory.
 *
 *   listcost          prints one line per case
 */
#include <dirent.h>
#include <sys/stat.h>

/* fcgi_proc's own list writer, write_proc(), is what is measured. */
#define main fcgi_proc_main
int	main(int, char **);
#include "../fcgi_proc.c"
#undef main

static char dir[] = "/tmp/fcgi_proc-bench.XXXXXX";
static FILE *sink;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
make_file(const char *name, bool lockfile)
{
	struct lockdata ld = { 1234, 0, 7, 1700000000 };
	char path[sizeof dir + 64];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (lockfile && (write(fd, &ld, sizeof ld) != (ssize_t)sizeof ld ||
	    write(fd, "sleep 3600", 10) != 10))) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* The JSON of a list, as fcgi_proc writes it. */
static size_t
write_list(const struct pm_list *l)
{
	struct json j;
	size_t i;

	json_init(&j, sink);
	json_array_open(&j);
	for (i = 0; i < l->count; i++)
		write_proc(&j, &l->procs[i], 1700000100);
	json_array_close(&j);
	return l->count;
}

/* A list read afresh, as a CGI run reads it: every file opened. */
static size_t
list_once(void)
{
	struct pm_list l;
	size_t n;

	if (pm_list(dir, &l) != PM_OK) {
		fprintf(stderr, "%s\n", pm_error());
		exit(1);
	}
	n = write_list(&l);
	pm_list_free(&l);
	return n;
}

/* The persistent responder's list: one list refreshed again and again. */
static struct pm_list kept_list;

static size_t
refresh_once(void)
{
	if (pm_refresh(dir, &kept_list) != PM_OK) {
		fprintf(stderr, "%s\n", pm_error());
		exit(1);
	}
	return write_list(&kept_list);
}

/* Microseconds per call of fn, over enough rounds to take ~0.3 s. */
static double
time_per_call(size_t (*fn)(void))
{
	double start = now(), elapsed;
	long rounds = 0;

	do {
		fn();
		rounds++;
	} while ((elapsed = now() - start) < 0.3);
	return elapsed / rounds * 1e6;
}

/*
 * The kernel's floor for one entry: the five system calls a trusted entry
 * needs (open, fstat, pread, F_GETLK, close), with nothing around them.
 */
static size_t
syscalls_once(void)
{
	char path[sizeof dir + 32], buf[4096 + sizeof(struct lockdata)];
	struct flock fl;
	struct stat st;
	int fd, i;

	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof path, "%s/" PM_PREFIX "p%05d", dir, i);
		if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)) == -1)
			exit(1);
		fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET,
		    .l_len = 1 };
		if (fstat(fd, &st) == -1 || pread(fd, buf, sizeof buf, 0) < 0 ||
		    fcntl(fd, F_GETLK, &fl) == -1)
			exit(1);
		close(fd);
	}
	return 10;
}

static size_t
readdir_once(void)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] == 'p';
	closedir(d);
	return n;
}

int
main(void)
{
	static const int sizes[] = { 10, 100, 1000 };
	char name[64];
	double t, r, base, with_unrelated, bare;
	int i, k, have = 0;

	if (mkdtemp(dir) == NULL || (sink = fopen("/dev/null", "w")) == NULL)
		return 1;
	for (k = 0; k < 3; k++) {
		for (; have < sizes[k]; have++) {
			snprintf(name, sizeof name, PM_PREFIX "p%05d", have);
			make_file(name, true);
		}
		t = time_per_call(list_once);
		refresh_once();		/* the second refresh starts the watch */
		r = time_per_call(refresh_once);
		printf("list of %4d entries: read afresh %8.1f us, %5.2f us per "
		    "entry; refreshed %8.1f us, %5.2f us per entry\n", sizes[k],
		    t, t / sizes[k], r, r / sizes[k]);
	}
	pm_list_free(&kept_list);
	/* Back to 10 entries, then 10,000 unrelated files beside them. */
	for (i = 10; i < 1000; i++) {
		snprintf(name, sizeof name, "%s/" PM_PREFIX "p%05d", dir, i);
		unlink(name);
	}
	base = time_per_call(list_once);
	printf("the kernel's floor, 5 system calls per entry: %.2f us per "
	    "entry\n", time_per_call(syscalls_once) / 10);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof name, "unrelated%05d", i);
		make_file(name, false);
	}
	with_unrelated = time_per_call(list_once);
	bare = time_per_call(readdir_once);
	printf("10 entries + 10,000 unrelated files: %.1f us (10 entries "
	    "alone: %.1f us): %.3f us per unrelated file; a bare readdir of "
	    "that directory: %.3f us per file\n", with_unrelated, base,
	    (with_unrelated - base) / 10000, bare / 10010);
	snprintf(name, sizeof name, "rm -rf %s", dir);
	return system(name) != 0;
}
