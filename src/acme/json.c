/*
 * json.c - typed access to untrusted JSON (see json.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/json.h"
#include "util/err.h"

json_t *
json_parse_object(const char *data, size_t len)
{
	json_error_t je;
	struct buf text;
	json_t *v;

	v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		/* Jansson quotes the server's bytes ("invalid token near
		 * '...'"), and the message ends in a log line. */
		buf_init(&text, sizeof(je.text) + 8);
		json_safe_text(&text, je.text, sizeof(je.text));
		err_set("invalid JSON at line %d, column %d: %s", je.line,
		    je.column, buf_str(&text));
		buf_free(&text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		err_set("invalid JSON: expected an object");
		return NULL;
	}
	return v;
}

static json_t *
json_member(json_t *obj, const char *key, int required, int *rc)
{
	json_t *v = json_object_get(obj, key);

	*rc = 0;
	if (v == NULL || json_is_null(v)) {
		if (required)
			*rc = err_set("member \"%s\" is missing", key);
		return NULL;
	}
	return v;
}

int
json_get_string(json_t *obj, const char *key, int required,
    const char **out)
{
	json_t *v;
	int rc;

	*out = NULL;
	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_string(v))
		return err_set("member \"%s\" is not a string", key);
	/* Embedded NUL bytes would let two readers see different strings. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return err_set("member \"%s\" contains a NUL byte", key);
	*out = json_string_value(v);
	return 0;
}

int
json_get_bool(json_t *obj, const char *key, int required, int *out)
{
	json_t *v;
	int rc;

	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_boolean(v))
		return err_set("member \"%s\" is not a boolean", key);
	*out = json_is_true(v);
	return 0;
}

int
json_get_int(json_t *obj, const char *key, int required, long long *out)
{
	json_t *v;
	int rc;

	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_integer(v))
		return err_set("member \"%s\" is not an integer", key);
	*out = json_integer_value(v);
	return 0;
}

int
json_get_array(json_t *obj, const char *key, int required, json_t **out)
{
	json_t *v;
	int rc;

	*out = NULL;
	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_array(v))
		return err_set("member \"%s\" is not an array", key);
	*out = v;
	return 0;
}

int
json_get_object(json_t *obj, const char *key, int required, json_t **out)
{
	json_t *v;
	int rc;

	*out = NULL;
	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_object(v))
		return err_set("member \"%s\" is not an object", key);
	*out = v;
	return 0;
}

void
json_safe_text(struct buf *out, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			buf_puts(out, "...");
			return;
		}
		buf_putc(out, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
}

char *
json_dump_compact(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		err_set("out of memory");
	return s;
}
