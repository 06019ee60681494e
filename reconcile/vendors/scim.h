/*
 * SCIM 2.0 pieces shared by the scim connector and the vendors that speak
 * SCIM for users (Bizagi).
 */
#ifndef USERPRUNE_VENDORS_SCIM_H
#define USERPRUNE_VENDORS_SCIM_H

#include "reconcile/engine.h"
#include "reconcile/session.h"
#include "reconcile/users.h"
#include "reconcile/vendors/vendor.h"

/* GET {url}{prefix}/Users?startIndex=&count= (1-based). */
struct http_request *scim_list_request(struct session *s, const char *prefix,
				       const struct page *pg);
/*
 * Reads a ListResponse (the answer to the page pg) into out. The echoed
 * startIndex and itemsPerPage are ignored (servers echo 0): the listing
 * counts offsets itself.
 */
int scim_list_response(const struct page *pg, const struct http_response *r,
		       struct userstore *out, struct page_result *res,
		       struct err *e);
/* DELETE {url}{prefix}/Users/{id}. */
struct http_request *scim_delete_request(struct session *s, const char *prefix,
					 const char *id);
/* PATCH {url}{prefix}/Users/{id} replacing active (RFC 7644 3.5.2). */
struct http_request *scim_patch_active(struct session *s, const char *prefix,
				       const char *id, bool active);

#endif
