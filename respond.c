#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "json_out.h"
#include "respond.h"
#include "fcgi_compat.h"

#define JSON_TYPE	"application/json; charset=utf-8"

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default:  return "Internal Server Error";
	}
}

void
answer_reset(struct answer *ans)
{
	ans->status = 200;
	ans->allow = NULL;
	ans->type = NULL;
	buf_reset(&ans->body);
	ans->why[0] = '\0';
	ans->nkilled = 0;
	ans->untrusted = 0;
}

/* The original fcgi_proc's error object. */
void
answer_error(struct answer *ans, int status, const char *description)
{
	struct json j;

	ans->status = status;
	ans->type = NULL;
	snprintf(ans->why, sizeof ans->why, "%s", description);
	buf_reset(&ans->body);
	json_init(&j, &ans->body);
	json_object_open(&j);
	json_key(&j, "status");
	json_int(&j, status);
	json_key(&j, "description");
	json_cstring(&j, description);
	json_object_close(&j);
}

/*
 * The CGI response (RFC 3875 section 6): one Status line, the header
 * lines, then the body and a newline, or for HEAD nothing more.  No
 * answer may be framed by another page (clickjacking).
 */
void
respond(const struct answer *ans, bool head)
{
	printf("Status: %d %s\r\n", ans->status, reason(ans->status));
	if (ans->allow != NULL)
		printf("Allow: %s\r\n", ans->allow);
	printf("Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "frame-ancestors 'none'\r\n\r\n",
	    ans->type != NULL ? ans->type : JSON_TYPE);
	if (head)
		return;
	/* fcgi_stdio's fwrite takes a pointer to non-const; it only reads. */
	fwrite(ans->body.data != NULL ? ans->body.data : "", 1, ans->body.len,
	    stdout);
	if (ans->type == NULL)
		putchar('\n');
}

/*
 * s, cut after max, with every byte that could mislead a reader of a log
 * line as \xHH: controls, quotes, backslashes, non-ASCII, and outside
 * quotes the space.
 */
static void
add_escaped(struct buf *b, const char *s, size_t max, bool quoted)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 - quoted && c < 0x7f && c != '"' && c != '\\')
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

void
log_request(const struct request *req, const struct answer *ans)
{
	struct buf line = { 0 };

	buf_printf(&line, "fcgi_proc: %d ", ans->status);
	add_escaped(&line, req->method, 8, false);
	buf_addc(&line, ' ');
	add_quoted(&line, req->query, 200);
	if (req->body != NULL) {
		buf_addc(&line, ' ');
		add_quoted(&line, req->body, 200);
	}
	/* procmon may run as another user (-u), or files were planted. */
	if (ans->untrusted > 0)
		buf_printf(&line, " (%zu procmon.* files not trusted: see -u)",
		    ans->untrusted);
	buf_addc(&line, '\n');
	if (!line.failed)
		fwrite(line.data, 1, line.len, stderr);
	buf_free(&line);
}

/*
 * One datagram to /dev/log, the local syslog daemon's socket, which
 * stamps the time (RFC 3164 leaves it to the relay).  Not the C
 * library's syslog(): a static musl build would carry the time zone code
 * for its timestamp, 5 KiB of a router's flash.
 */
static void
send_syslog(const struct buf *line)
{
	struct sockaddr_un log = { .sun_family = AF_UNIX };
	int fd;

	memcpy(log.sun_path, "/dev/log", sizeof "/dev/log");
	if (line->failed ||
	    (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	sendto(fd, line->data, line->len, 0, (struct sockaddr *)&log,
	    sizeof log);
	close(fd);
}

/*
 * "stop sleep1,sleep2: 200 killed=1234/SIGKILL user="alice"
 * addr="192.168.1.2"", or for a refusal its reason after the status:
 * daemon.notice for what was done, daemon.warning for what was not.
 */
void
audit(const struct request *req, const struct answer *ans)
{
	struct buf line = { 0 };
	size_t i;

	buf_printf(&line, "<%d>fcgi_proc[%ld]: %s ", LOG_DAEMON |
	    (ans->status == 200 ? LOG_NOTICE : LOG_WARNING), (long)getpid(),
	    req->route->key);
	for (i = 0; i < req->count; i++)
		buf_printf(&line, "%s%s", i > 0 ? "," : "", req->names[i]);
	buf_printf(&line, ": %d", ans->status);
	for (i = 0; i < ans->nkilled; i++)
		buf_printf(&line, "%s%ld/%s", i > 0 ? "," : " killed=",
		    (long)ans->killed[i],
		    ans->signals[i] == SIGTERM ? "SIGTERM" : "SIGKILL");
	if (ans->why[0] != '\0') {
		buf_addc(&line, ' ');
		add_quoted(&line, ans->why, 240);
	}
	buf_adds(&line, " user=");
	if (req->user != NULL)
		add_quoted(&line, req->user, 64);
	else
		buf_addc(&line, '-');
	buf_adds(&line, " addr=");
	if (req->addr != NULL)
		add_quoted(&line, req->addr, 64);
	else
		buf_addc(&line, '-');
	send_syslog(&line);
	buf_free(&line);
}
