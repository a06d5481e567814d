/* SPDX-License-Identifier: MIT */
#include "json_out.h"
#include "respond.h"
#include "fcgi_compat.h"

#define JSON_TYPE	"application/json; charset=utf-8"
#define API_POLICY	"default-src 'none'; frame-ancestors 'none'"

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 207: return "Multi-Status";
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
	size_t i;

	ans->status = 200;
	ans->allow = ans->type = ans->policy = NULL;
	buf_reset(&ans->body);
	ans->why[0] = '\0';
	ans->nkills = 0;
	for (i = 0; i < PM_DISTRUSTS; i++)
		ans->left_out[i] = 0;
	ans->unreadable = 0;
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

void
answer_kill(struct answer *ans, pid_t pid, int signal, bool descendant)
{
	if (ans->nkills < KILLS_MAX)
		ans->kills[ans->nkills] = (struct kill){ pid, signal,
		    descendant };
	ans->nkills++;
}

int
answer_status_of(enum pm_status status, const char *name, char *why)
{
	switch (status) {
	case PM_UNKNOWN:
		snprintf(why, PM_WHY_MAX, "no process named \"%.64s\"", name);
		return 404;
	case PM_UNTRUSTED:
		return 403;
	case PM_DELETING:
		snprintf(why, PM_WHY_MAX, "\"%.64s\" is being removed by "
		    "procmon", name);
		return 409;
	case PM_UNWRITABLE:
	case PM_NOT_HOLDER:
		return 409;
	default:
		return 500;
	}
}

/*
 * The CGI response (RFC 3875 section 6): one Status line, the header
 * lines, then the body and, after JSON, a newline; for HEAD nothing more.
 * No answer may be framed by another page (clickjacking).
 */
void
respond(const struct answer *ans, bool head, bool body_only)
{
	if (!body_only) {
		printf("Status: %d %s\r\n", ans->status, reason(ans->status));
		if (ans->allow != NULL)
			printf("Allow: %s\r\n", ans->allow);
		printf("Content-Type: %s\r\n"
		    "Cache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n"
		    "X-Frame-Options: DENY\r\n"
		    "Content-Security-Policy: %s\r\n\r\n",
		    ans->type != NULL ? ans->type : JSON_TYPE,
		    ans->policy != NULL ? ans->policy : API_POLICY);
	}
	if (head)
		return;
	/* fcgi_stdio's fwrite takes a pointer to non-const; it only reads. */
	fwrite(ans->body.data != NULL ? ans->body.data : "", 1, ans->body.len,
	    stdout);
	if (ans->type == NULL)
		putchar('\n');
}
