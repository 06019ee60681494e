/*
 * engine_words: failed transfers and answers worth retrying, in words.
 *
 * Engine internals (engine.c and engine_words.c, the only code with
 * curl.h): what the messages, the -v traces and the retry notices say
 * instead of libcurl's error numbers.
 */
#ifndef USERPRUNE_ENGINE_WORDS_H
#define USERPRUNE_ENGINE_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

/*
 * Why the transfer of url on handle c (may be NULL) failed with rc, in
 * words that name the server: "cannot connect to 127.0.0.1 port 1:
 * connection refused", "... answers plain HTTP, not TLS ...".
 */
void engine_words(CURL *c, CURLcode rc, const char *errbuf, const char *url,
		  char *buf, size_t n);
/* Why an answer with this status is retried: "the vendor asked ...". */
void engine_status_words(long status, char *buf, size_t n);

#endif
