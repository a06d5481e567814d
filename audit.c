/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <syslog.h>

#include "audit.h"
#include "log.h"

/*
 * Whether c may stand as itself in a log line: not a control, a quote, a
 * backslash or non-ASCII, and outside quotes not the space, nor the
 * comma and colon that end a list of names.
 */
static bool
plain_byte(unsigned char c, bool quoted)
{
	if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
		return false;
	return quoted || (c != ' ' && c != ',' && c != ':');
}

/* s, cut after max, with every byte that could mislead as \xHH. */
static void
add_escaped(struct buf *b, const char *s, size_t max, bool quoted)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (plain_byte(c, quoted))
			buf_addc(b, (char)c);
		else
			buf_printf(b, "\\x%02x", c);
	}
	if (s[i] != '\0')
		buf_adds(b, "...");
}

static void
add_quoted(struct buf *b, const char *s, size_t max)
{
	buf_addc(b, '"');
	add_escaped(b, s, max, true);
	buf_addc(b, '"');
}

/* "200 GET "list"", the body after the query, then what a list left out. */
void
audit_verbose(const struct request *req, const struct answer *ans)
{
	struct buf line = { 0 };
	size_t i, notes = 0;

	buf_printf(&line, "%d ", ans->status);
	add_escaped(&line, req->method, 8, false);
	buf_addc(&line, ' ');
	add_quoted(&line, req->query, 200);
	if (req->body != NULL) {
		buf_addc(&line, ' ');
		add_quoted(&line, req->body, 200);
	}
	/* procmon may run as another user (-u), or files were planted. */
	for (i = 0; i < PM_DISTRUSTS; i++)
		if (ans->left_out[i] > 0)
			buf_printf(&line, "%s%zu procmon.* files left out: %s",
			    notes++ > 0 ? "; " : " (", ans->left_out[i],
			    pm_distrust_text((enum pm_distrust)i));
	if (ans->unreadable > 0)
		buf_printf(&line, "%s%zu lockfile headers not laid out as this "
		    "build reads them", notes++ > 0 ? "; " : " (",
		    ans->unreadable);
	if (notes > 0)
		buf_addc(&line, ')');
	if (!line.failed)
		log_stderr(line.data, line.len);
	buf_free(&line);
}

/*
 * "stop sleep1,sleep2: 200 killed=1234/SIGKILL,1240/SIGKILL(descendant)
 * uid=0 user="alice" addr="192.168.1.2"", or for a refusal its reason
 * after the status: notice for what was done, warning for what was not.
 * Running setuid or setgid, user and addr are the caller's claim, not a
 * web server's word: the line says so, beside the real uid.
 */
void
audit_action(const struct config *cfg, const struct request *req,
    const struct answer *ans)
{
	struct buf line = { 0 };
	size_t i;

	buf_printf(&line, "%s ", req->route->key);
	for (i = 0; i < req->count; i++) {
		if (i > 0)
			buf_addc(&line, ',');
		add_escaped(&line, req->names[i], 64, false);
	}
	if (req->count == 0)
		buf_addc(&line, '-');
	buf_printf(&line, ": %d", ans->status);
	for (i = 0; i < ans->nkills && i < KILLS_MAX; i++)
		buf_printf(&line, "%s%ld/%s%s", i > 0 ? "," : " killed=",
		    (long)ans->kills[i].pid, ans->kills[i].signal == SIGTERM ?
		    "SIGTERM" : "SIGKILL", ans->kills[i].descendant ?
		    "(descendant)" : "");
	if (ans->nkills > KILLS_MAX)
		buf_printf(&line, ",+%zu", ans->nkills - KILLS_MAX);
	if (ans->why[0] != '\0') {
		buf_addc(&line, ' ');
		add_quoted(&line, ans->why, 240);
	}
	buf_printf(&line, " uid=%ld%s user=", (long)cfg->caller,
	    cfg->privileged ? " claimed:" : "");
	if (req->user != NULL)
		add_quoted(&line, req->user, 64);
	else
		buf_addc(&line, '-');
	buf_adds(&line, " addr=");
	if (req->addr != NULL)
		add_quoted(&line, req->addr, 64);
	else
		buf_addc(&line, '-');
	if (!line.failed)
		log_syslog(LOG_DAEMON | (ans->status == 200 ? LOG_NOTICE :
		    LOG_WARNING), line.data, line.len);
	buf_free(&line);
}
