/*
 * Redaction against what a review found: values echoed in another
 * serializer's escapes, a secret cut by the excerpt of a long body, and
 * the cost of thousands of tenants' secrets.
 */
#include <stdio.h>
#include <time.h>

#include "tests/unit/testutil.h"

#include "reconcile/engine.h"
#include "util/strbuf.h"
#include "util/text.h"

static char *cleaned(const char *s)
{
	return text_cleaned(s);
}

/* Whether any 8 bytes of secret show in text. */
static bool shows_part(const char *text, const char *secret)
{
	size_t i, n = strlen(secret);

	for (i = 0; i + 8 <= n; i++) {
		char part[9];

		memcpy(part, secret + i, 8);
		part[8] = '\0';
		if (strstr(text, part))
			return true;
	}
	return false;
}

static void test_escaped_echoes_are_redacted(void **state)
{
	static const char *const echoes[] = {
		/* .NET System.Text.Json: '+' and non-ASCII as \uXXXX */
		"{\"error\":\"bad secret "
		"cl1ent\\u002BS3cret/w\\u00EFth\\\"q\"}",
		/* Python json.dumps: non-ASCII as lower-case \uXXXX */
		"{\"error\":\"bad secret cl1ent+S3cret/w\\u00efth\\\"q\"}",
		/* PHP json_encode: "\/" and \uXXXX */
		"{\"error\":\"bad secret cl1ent+S3cret\\/w\\u00efth\\\"q\"}",
		/* JavaScript, Go, Jackson: '/' and 'ï' as they are */
		"{\"error\":\"bad secret cl1ent+S3cret/wïth\\\"q\"}",
		/* percent-encoded in lower case */
		"client_secret=cl1ent%2bS3cret%2fw%c3%afth%22q&x=1",
		/* an escaped letter, as some encoders do */
		"{\"e\":\"\\u0063l1ent+S3cret/wïth\\\"q\"}",
	};
	const char *secret = "cl1ent+S3cret/wïth\"q";
	size_t i;

	(void)state;
	redact_add(secret);
	for (i = 0; i < sizeof(echoes) / sizeof(echoes[0]); i++) {
		char *c = cleaned(echoes[i]);

		if (shows_part(c, "cl1ent+S3cret") || strstr(c, "S3cret"))
			fail_msg("not redacted: %s -> %s", echoes[i], c);
		assert_non_null(strstr(c, "[redacted]"));
		free(c);
	}
	/* text around the value is kept */
	{
		char *c =
			cleaned("a\\u002Bb cl1ent\\u002BS3cret/wïth\\\"q end");

		assert_string_equal(c, "a\\u002Bb [redacted] end");
		free(c);
	}
	redact_forget_all();
}

static void test_a_secret_across_the_excerpt_scan_is_redacted(void **state)
{
	const char *secret = "bearer-T0ken-0123456789abcdef";
	struct http_response res;
	struct strbuf body = STRBUF_INIT;
	char buf[160];
	size_t at;

	(void)state;
	redact_add(secret);
	/* white space an excerpt folds away, then the secret, anywhere
	   around the bytes the excerpt reads */
	for (at = 1000; at < 1040; at++) {
		strbuf_reset(&body);
		while (body.len < at)
			strbuf_addch(&body, ' ');
		strbuf_addf(&body, "%s and more", secret);
		memset(&res, 0, sizeof(res));
		res.status = 403;
		res.body = body.buf;
		res.len = body.len;
		http_excerpt(&res, buf, sizeof(buf));
		if (shows_part(buf, secret) || strstr(buf, "bearer-T0"))
			fail_msg("secret at %zu shows: %s", at, buf);
	}
	strbuf_release(&body);
	redact_forget_all();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Thousands of tenants, each with a token and a Basic credential of one
 * admin: their forms share long prefixes. Registering them and cleaning
 * many lines must stay cheap (it was quadratic: a minute to register
 * 5,000 tenants, and most of a millisecond per line cleaned).
 */
static void test_thousands_of_secrets_stay_cheap(void **state)
{
	const char *line = "HTTP 403: {\"detail\":\"You do not have permission "
			   "to perform this action for user "
			   "5b10ac8d82e05b22cc7d4ef5 at tenant acme\"}";
	char s[128];
	double t0, t1, t2;
	size_t i;
	char *c;

	(void)state;
	t0 = now();
	for (i = 0; i < 4000; i++) {
		snprintf(s, sizeof(s), "ATATT3xFfGF0%08zx%08zx", i * 7919,
			 i * 104729);
		redact_add(s);
		snprintf(s, sizeof(s), "admin@acme.example:ATATT3xFfGF0%08zx",
			 i * 7919);
		redact_add(s);
	}
	t1 = now();
	for (i = 0; i < 30000; i++) {
		c = cleaned(line);
		free(c);
	}
	t2 = now();
	/* still redacting: the last and the first value */
	snprintf(s, sizeof(s), "x ATATT3xFfGF0%08zx%08zx y",
		 (size_t)3999 * 7919, (size_t)3999 * 104729);
	c = cleaned(s);
	assert_string_equal(c, "x [redacted] y");
	free(c);
	c = cleaned("ATATT3xFfGF00000000000000000");
	assert_string_equal(c, "[redacted]");
	free(c);
	redact_forget_all();
	if (t1 - t0 > 5.0 || t2 - t1 > 5.0)
		fail_msg("register %.2f s, clean 30,000 lines %.2f s", t1 - t0,
			 t2 - t1);
}

/*
 * The longest registered value wins at every position, as a plain scan
 * of every value finds it: values over a two-letter alphabet share
 * prefixes in every way (their other forms use other letters).
 */
static void test_longest_value_wins_as_a_plain_scan_finds(void **state)
{
	char secrets[60][12], text[200], want[2400], *c;
	size_t ns = 0, i, j, round;
	unsigned seed = 12345;

	(void)state;
	for (round = 0; round < 300; round++) {
		size_t o = 0, len;

		redact_forget_all();
		ns = 1 + (seed = seed * 1103515245 + 12345) % 60;
		for (i = 0; i < ns; i++) {
			len = 4 + (seed = seed * 1103515245 + 12345) % 7;
			for (j = 0; j < len; j++)
				secrets[i][j] =
					((seed = seed * 1103515245 + 12345) >>
					 16) & 1
						? 'a'
						: 'b';
			secrets[i][len] = '\0';
			redact_add(secrets[i]);
		}
		len = (seed = seed * 1103515245 + 12345) % 150;
		for (j = 0; j < len; j++)
			text[j] = "ab "[((seed = seed * 1103515245 + 12345) >>
					 16) %
					3];
		text[len] = '\0';
		for (j = 0; j < len;) {
			size_t best = 0;

			for (i = 0; i < ns; i++) {
				size_t n = strlen(secrets[i]);

				if (n > best && n <= len - j &&
				    !memcmp(text + j, secrets[i], n))
					best = n;
			}
			if (best) {
				memcpy(want + o, "[redacted]", 10);
				o += 10;
				j += best;
			} else {
				want[o++] = text[j++];
			}
		}
		want[o] = '\0';
		c = cleaned(text);
		if (strcmp(c, want))
			fail_msg("'%s': '%s', not '%s'", text, c, want);
		free(c);
	}
	redact_forget_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped_echoes_are_redacted),
		cmocka_unit_test(
			test_a_secret_across_the_excerpt_scan_is_redacted),
		cmocka_unit_test(test_thousands_of_secrets_stay_cheap),
		cmocka_unit_test(test_longest_value_wins_as_a_plain_scan_finds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
