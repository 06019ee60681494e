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

/*
 * GET {url}{prefix}/Users?startIndex=&count= (1-based), or with the
 * session's paging PAGE_CURSOR ?cursor=&count= (RFC 9865; the first page
 * has an empty cursor).
 */
struct http_request *scim_list_request(struct session *s, const char *prefix,
				       const struct page *pg);
/*
 * Reads a ListResponse into out. The echoed startIndex and itemsPerPage
 * are ignored (servers echo 0): the listing counts offsets itself. With
 * cursors, nextCursor is the next page (none on the last) and
 * totalResults is optional.
 */
int scim_list_response(const struct session *s, const struct http_response *r,
		       struct userstore *out, struct page_result *res,
		       struct err *e);
/* DELETE {url}{prefix}/Users/{id}. */
struct http_request *scim_delete_request(struct session *s, const char *prefix,
					 const char *id);
/* PATCH {url}{prefix}/Users/{id} replacing active (RFC 7644 3.5.2). */
struct http_request *scim_patch_active(struct session *s, const char *prefix,
				       const char *id, bool active);

#endif
