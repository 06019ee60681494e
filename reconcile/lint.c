/*
 * What validate adds to loading: warnings about a file that loads but
 * that plan would refuse.
 */
#include <string.h>

#include "reconcile/config.h"
#include "reconcile/secret.h"

void config_lint(const struct config *c, struct diags *d)
{
	size_t i;

	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];

		/* with allow_empty_keep the loader says what it means */
		if (t->keep.n || t->policy.allow_empty_keep)
			continue;
		diag_add(d, DIAG_WARNING, c->name, t->line, t->col,
			 "tenant '%s' has no keep list: plan will "
			 "refuse it (guard empty_keep: every user in "
			 "scope would be deleted); list the users to "
			 "keep, or set policy.allow_empty_keep: true "
			 "if that is meant",
			 t->name);
	}
}

const char *tenant_literal_secret(const struct tenant *t)
{
	static const char *const names[] = { "password", "token",
					     "client_secret", "api_key" };
	const struct secret *s[] = { &t->auth.password, &t->auth.token,
				     &t->auth.client_secret, &t->auth.api_key };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i]->raw && secret_kind(s[i]->raw) == SECRET_LITERAL)
			return names[i];
	return NULL;
}
