/*
 * json.h - strict, typed reading of JSON from a server, over Jansson.
 *
 * A server is untrusted input: every member is looked up with its expected
 * type, and a wrong type is an error naming the member, never a crash or a
 * silent default.  Text from the server passes through json_safe_text()
 * before it reaches a log line.
 */
#ifndef ACMED_ACME_JSON_H
#define ACMED_ACME_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/buf.h"

/* Parses a document whose top level must be an object; rejects duplicate
 * keys.  NULL with err "invalid JSON at line L, column C: ...". */
json_t	*json_parse_object(const char *data, size_t len);

/* Borrowed string member.  Missing: *out = NULL and 0 when !required,
 * else -1 with err.  Present with another type: -1 with err. */
int	 json_get_string(json_t *obj, const char *key, int required,
	    const char **out);
int	 json_get_bool(json_t *obj, const char *key, int required, int *out);
int	 json_get_int(json_t *obj, const char *key, int required,
	    long long *out);
/* An RFC 3339 date-time string member ("2025-01-02T04:00:00Z", with
 * optional fractions of a second, which are dropped, and a "Z" or
 * +hh:mm offset) as seconds since the epoch.  Missing: 0 and *out
 * untouched when !required.  -1 with err naming the member otherwise. */
int	 json_get_time(json_t *obj, const char *key, int required,
	    int64_t *out);
/* 1 when s is an http(s) URL (its origin is checked when it is used). */
int	 json_is_url(const char *s);
/* An http(s) URL string member, copied (allocated: free()).  Missing:
 * *out = NULL and 0 when !required.  -1 with err naming the member. */
int	 json_get_url(json_t *obj, const char *key, int required,
	    char **out);
/* Borrowed array / object member; NULL when absent and !required. */
int	 json_get_array(json_t *obj, const char *key, int required,
	    json_t **out);
int	 json_get_object(json_t *obj, const char *key, int required,
	    json_t **out);

/* Copies server text for a log line or error message: control and
 * non-ASCII bytes become '?', at most max bytes (then "..."). */
void	 json_safe_text(struct buf *out, const char *s, size_t max);

/* Serialises compactly into an allocated string (caller frees). */
char	*json_dump_compact(const json_t *v);

#endif
