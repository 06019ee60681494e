/*
 * A failed transfer in words (reconcile/engine_words.c): what libcurl
 * and OpenSSL say, for the mistakes an admin makes, turned into a message
 * that names the server and what to check.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/testutil.h"

#include "reconcile/engine_words.h"

static void words(CURLcode rc, const char *errbuf, const char *url, char *buf,
		  size_t n)
{
	engine_words(NULL, rc, errbuf, url, buf, n);
}

/*
 * https:// to a plain-http port: the server answers the TLS hello with
 * an HTTP error (OpenSSL: "wrong version number"), or closes or resets
 * the connection before that answer arrives (SSL_ERROR_SYSCALL), which
 * of the two depends on timing. Both name the likely mistake, and
 * neither prints OpenSSL's own words.
 */
static void test_https_to_plain_http(void **state)
{
	static const char *const answered[] = {
		"OpenSSL/3.0.15: error:0A00010B:SSL routines::wrong version "
		"number",
		"error:0A0000C6:SSL routines::packet length too long",
	};
	const char *url = "https://127.0.0.1:40819/rest/api/3/myself";
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(answered) / sizeof(*answered); i++) {
		words(CURLE_SSL_CONNECT_ERROR, answered[i], url, buf,
		      sizeof(buf));
		assert_non_null(strstr(buf, "127.0.0.1 port 40819 answers "
					    "plain HTTP, not TLS: the url "
					    "says https://"));
		assert_null(strstr(buf, "SSL routines"));
	}
	words(CURLE_SSL_CONNECT_ERROR,
	      "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to "
	      "127.0.0.1:40819 ",
	      url, buf, sizeof(buf));
	assert_non_null(strstr(buf, "127.0.0.1 port 40819 closed the "
				    "connection during the TLS handshake"));
	assert_non_null(strstr(buf, "plain HTTP"));
	assert_null(strstr(buf, "SSL_ERROR_SYSCALL"));
	/* any other handshake failure keeps libcurl's detail */
	words(CURLE_SSL_CONNECT_ERROR, "OpenSSL: alert handshake failure", url,
	      buf, sizeof(buf));
	assert_non_null(strstr(buf, "the TLS handshake with 127.0.0.1 port "
				    "40819 failed (OpenSSL: alert handshake "
				    "failure)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https_to_plain_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
