/*
 * A failed transfer in words: what could not be done, with whom, and why,
 * instead of libcurl's error number or "Failed to connect to 127.0.0.1
 * port 1 after 0 ms". Part of the engine (the only code with curl.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "reconcile/engine_words.h"

/* "host port N" of url, into buf: the server the message is about. */
static void server(const char *url, char *buf, size_t n)
{
	const char *h = strstr(url, "://");
	bool https = !strncasecmp(url, "https:", 6);
	size_t len, hl;
	const char *colon;

	h = h ? h + 3 : url;
	len = strcspn(h, "/?#");
	hl = len;
	if (h[0] == '[') {
		const char *rb = memchr(h, ']', len);

		hl = rb ? (size_t)(rb - h) + 1 : len;
		colon = hl < len && h[hl] == ':' ? h + hl : NULL;
	} else {
		colon = memchr(h, ':', len);
		if (colon)
			hl = (size_t)(colon - h);
	}
	if (colon)
		snprintf(buf, n, "%.*s port %.*s", (int)hl, h,
			 (int)(len - hl - 1), colon + 1);
	else
		snprintf(buf, n, "%.*s port %s", (int)hl, h,
			 https ? "443" : "80");
}

/* strerror(err) with a lower-case first letter, as messages are. */
static void os_reason(long err, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror((int)err));
	if (buf[0])
		buf[0] = (char)tolower((unsigned char)buf[0]);
}

/* libcurl's own text, for the cases not put in words here. */
static const char *detail(CURLcode rc, const char *errbuf)
{
	return errbuf && *errbuf ? errbuf : curl_easy_strerror(rc);
}

void engine_words(CURL *c, CURLcode rc, const char *errbuf, const char *url,
		  char *buf, size_t n)
{
	char who[300], why[160];
	long err = 0;
	double connected = 0;

	server(url, who, sizeof(who));
	if (c) {
		curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &err);
		curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &connected);
	}
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(buf, n,
			 "cannot find the host of %s (its name does "
			 "not resolve)",
			 who);
		return;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(buf, n,
			 "cannot find the proxy's host (its name does "
			 "not resolve): check https_proxy");
		return;
	case CURLE_COULDNT_CONNECT:
		if (err)
			os_reason(err, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "no connection");
		snprintf(buf, n, "cannot connect to %s: %s", who, why);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		if (connected > 0)
			snprintf(buf, n,
				 "no answer from %s in time (timed out; "
				 "limits.timeout_seconds)",
				 who);
		else
			snprintf(buf, n, "cannot connect to %s: timed out",
				 who);
		return;
	case CURLE_SSL_CONNECT_ERROR:
		/* OpenSSL's words for a plain HTTP answer to a TLS hello */
		if (errbuf && (strstr(errbuf, "wrong version number") ||
			       strstr(errbuf, "packet length too long") ||
			       strstr(errbuf, "record layer failure"))) {
			snprintf(buf, n,
				 "%s answers plain HTTP, not TLS: the url "
				 "says https://, so the port is that of a "
				 "plain-http service (or the url should be "
				 "http://)",
				 who);
			return;
		}
		/*
		 * Closed or reset before any answer: a plain-http server
		 * that read the hello as a bad request and hung up before
		 * its error reached us does that too (which of the two a
		 * plain-http port does is a matter of timing).
		 */
		if (errbuf && strstr(errbuf, "SSL_ERROR_SYSCALL")) {
			snprintf(buf, n,
				 "%s closed the connection during the TLS "
				 "handshake: if that port serves plain HTTP, "
				 "the url should be http://; otherwise "
				 "something between cut the connection",
				 who);
			return;
		}
		snprintf(buf, n, "the TLS handshake with %s failed (%s)", who,
			 detail(rc, errbuf));
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(buf, n,
			 "the certificate of %s cannot be verified (%s): for "
			 "a private certificate authority set tls.ca_file",
			 who, detail(rc, errbuf));
		return;
	case CURLE_GOT_NOTHING:
		snprintf(buf, n, "%s closed the connection without answering",
			 who);
		return;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		if (err)
			os_reason(err, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s", detail(rc, errbuf));
		snprintf(buf, n, "the connection to %s broke while %s: %s", who,
			 rc == CURLE_SEND_ERROR ? "sending" : "receiving", why);
		return;
	case CURLE_PARTIAL_FILE:
		snprintf(buf, n, "the answer from %s was cut short", who);
		return;
	default:
		snprintf(buf, n, "%s: %s", who, detail(rc, errbuf));
		return;
	}
}

void engine_status_words(long status, char *buf, size_t n)
{
	switch (status) {
	case 429:
		snprintf(buf, n, "the vendor asked to slow down (HTTP 429)");
		break;
	case 408:
		snprintf(buf, n,
			 "the request timed out at the vendor (HTTP "
			 "408)");
		break;
	case 409:
		snprintf(buf, n, "a conflict at the vendor (HTTP 409)");
		break;
	case 502:
	case 504:
		snprintf(buf, n,
			 "a gateway in front of the vendor failed "
			 "(HTTP %ld)",
			 status);
		break;
	case 503:
		snprintf(buf, n,
			 "the vendor is unavailable for now (HTTP "
			 "503)");
		break;
	default:
		snprintf(buf, n, "the vendor failed (HTTP %ld)", status);
		break;
	}
}
