#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "reconcile/secret.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define SECRET_FILE_MAX (1u << 20)

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool valid_env_name(const char *s, size_t n)
{
	size_t i;

	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

enum secret_kind secret_kind(const char *raw)
{
	size_t n = strlen(raw);

	if (!strstr(raw, "${"))
		return SECRET_LITERAL;
	if (raw[n - 1] != '}' || strchr(raw + 2, '{') ||
	    strchr(raw, '}') != raw + n - 1)
		return SECRET_BAD;
	if (has_prefix(raw, "${env:"))
		return valid_env_name(raw + 6, n - 7) ? SECRET_ENV : SECRET_BAD;
	if (has_prefix(raw, "${file:"))
		return n > 8 ? SECRET_FILE : SECRET_BAD;
	return SECRET_BAD;
}

const char *secret_target(const char *raw)
{
	static char buf[4096];
	size_t skip = has_prefix(raw, "${env:") ? 6 : 7, n = strlen(raw);

	if (n < skip + 1 || n - skip - 1 >= sizeof(buf))
		return "";
	memcpy(buf, raw + skip, n - skip - 1);
	buf[n - skip - 1] = '\0';
	return buf;
}

/*
 * A value goes into HTTP headers and form bodies as it is: a CR or LF
 * there would end the header and start another one of the file's choice,
 * and a NUL would cut the value short. Refused, naming the reference only.
 */
static int check_value(const char *raw, const char *v, size_t len,
		       struct err *e)
{
	const char *what = NULL;
	size_t i;

	for (i = 0; i < len && !what; i++) {
		if (v[i] == '\r')
			what = "a carriage return (CR)";
		else if (v[i] == '\n')
			what = "a line feed (LF)";
		else if (v[i] == '\0')
			what = "a NUL byte";
	}
	if (!what)
		return 0;
	switch (secret_kind(raw)) {
	case SECRET_ENV:
		return err_set(e,
			       "environment variable '%s' holds %s: a secret "
			       "must be one line",
			       secret_target(raw), what);
	case SECRET_FILE:
		return err_set(e,
			       "secret file '%s' holds %s: a secret must be "
			       "one line (only a final newline is removed)",
			       secret_target(raw), what);
	default:
		return err_set(e,
			       "literal secret holds %s: a secret must be "
			       "one line",
			       what);
	}
}

static void wipe(char *s, size_t len)
{
	volatile char *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = '\0';
	free(s);
}

int secret_resolve(const char *raw, char **out, struct err *e)
{
	const char *v;
	char *data;
	size_t len;
	struct err fe;

	*out = NULL;
	switch (secret_kind(raw)) {
	case SECRET_LITERAL:
		if (check_value(raw, raw, strlen(raw), e) < 0)
			return -1;
		*out = xstrdup(raw);
		return 0;
	case SECRET_ENV:
		v = getenv(secret_target(raw));
		if (!v || !*v)
			return err_set(e, "environment variable '%s' is %s",
				       secret_target(raw),
				       v ? "empty" : "not set");
		if (check_value(raw, v, strlen(v), e) < 0)
			return -1;
		*out = xstrdup(v);
		return 0;
	case SECRET_FILE:
		if (access(secret_target(raw), R_OK) < 0)
			return err_set(e, "secret file '%s': %s",
				       secret_target(raw), strerror(errno));
		if (file_read(secret_target(raw), SECRET_FILE_MAX, &data, &len,
			      &fe) < 0)
			return err_set(e, "secret file %s", fe.msg);
		while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			data[--len] = '\0';
		if (!len) {
			free(data);
			return err_set(e, "secret file '%s' is empty",
				       secret_target(raw));
		}
		if (check_value(raw, data, len, e) < 0) {
			wipe(data, len);
			return -1;
		}
		*out = data;
		return 0;
	case SECRET_BAD:
		break;
	}
	return err_set(e, "malformed reference '%s'", raw);
}

int secret_check(const char *raw, struct err *e)
{
	char *v;

	if (secret_resolve(raw, &v, e) < 0)
		return -1;
	secret_free(v);
	return 0;
}

void secret_free(char *s)
{
	volatile char *p = s;

	if (!s)
		return;
	while (*p)
		*p++ = '\0';
	free(s);
}
