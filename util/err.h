/*
 * err: error details passed down by the caller.
 *
 * Functions return 0 on success or a negative value on failure and write
 * what went wrong into a caller-supplied struct err. There is no global
 * "last error": concurrent requests would overwrite it. Each layer may
 * prefix its own context ("atlassian/jira-qa: GET /myself: HTTP 401").
 * A NULL struct err * is allowed and discards the message.
 */
#ifndef USERPRUNE_ERR_H
#define USERPRUNE_ERR_H

#define ERR_MSG_MAX 2048

struct err {
	char msg[ERR_MSG_MAX];
};

/* Sets the message and returns -1, so that `return err_set(e, ...)` works. */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepends "PREFIX: " to the message and returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
