/*
 * ident.c - the identifiers of a certificate: a DNS name normalised to
 * lower-case A-labels (crypto_dns_a_labels), a leading "*." kept; or an IP address re-written in canonical text; and the
 * challenge that proves it.
 */
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "config/intern.h"
#include "util/err.h"

static const char *const challenges[] = { "http-01", "dns-01", "tls-alpn-01" };

static int
set_dns(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_identifier *id = obj;
	const char *s = config_str(it), *name = s, *why;
	char *a = NULL, *value = NULL, *raw = NULL;
	int wild = 0;

	(void)off;
	if (strncmp(s, "*.", 2) == 0) {
		wild = 1;
		name = s + 2;
	}
	if (*name == '\0')
		return config_error(ctx, it, "%s: \"%s\" is not a domain name",
		    it->key, s);
	if ((a = crypto_dns_a_labels(name)) == NULL)
		return config_error(ctx, it, "%s: \"%s\" is not a valid domain "
		    "name: %s", it->key, s, err_msg());
	if ((why = crypto_dns_name_error(a)) != NULL) {
		config_error(ctx, it, "%s: \"%s\" is not a valid domain name: %s",
		    it->key, s, why);
		free(a);
		return -1;
	}
	if (asprintf(&value, "%s%s", wild ? "*." : "", a) == -1)
		value = NULL;
	free(a);
	if (value == NULL || (raw = config_strdup(ctx, s)) == NULL) {
		free(value);
		return config_oom(ctx);
	}
	free(id->value);
	free(id->raw);
	id->type = CRYPTO_IDENT_DNS;
	id->value = value;
	id->raw = raw;
	return 0;
}

static int
set_ip(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_identifier *id = obj;
	const char *s = config_str(it);
	unsigned char addr[16];
	char text[INET6_ADDRSTRLEN];
	char *value, *raw;

	(void)off;
	if (inet_pton(AF_INET, s, addr) == 1)
		(void)inet_ntop(AF_INET, addr, text, sizeof(text));
	else if (inet_pton(AF_INET6, s, addr) == 1)
		(void)inet_ntop(AF_INET6, addr, text, sizeof(text));
	else
		return config_error(ctx, it, "%s: \"%s\" is not an IPv4 or IPv6 "
		    "address", it->key, s);
	if ((value = config_strdup(ctx, text)) == NULL)
		return -1;
	if ((raw = config_strdup(ctx, s)) == NULL) {
		free(value);
		return -1;
	}
	free(id->value);
	free(id->raw);
	id->type = CRYPTO_IDENT_IP;
	id->value = value;
	id->raw = raw;
	return 0;
}

static int
set_challenge(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_identifier *id = obj;
	size_t i;

	(void)off;
	for (i = 0; i < sizeof(challenges) / sizeof(challenges[0]); i++)
		if (strcasecmp(config_str(it), challenges[i]) == 0)
			break;
	if (i == sizeof(challenges) / sizeof(challenges[0]))
		return config_error(ctx, it, "%s: unknown challenge \"%s\" "
		    "(expected http-01, dns-01 or tls-alpn-01)", it->key,
		    config_str(it));
	if ((id->challenge = config_strdup(ctx, challenges[i])) == NULL)
		return -1;
	return 0;
}

enum { I_DNS, I_IP, I_CHALLENGE, I_ENV, I__COUNT };

static const struct config_key ident_keys[I__COUNT] = {
	[I_DNS] = { "dns", CONFIG_T_STRING, 0, set_dns, 0 },
	[I_IP] = { "ip", CONFIG_T_STRING, 0, set_ip, 0 },
	[I_CHALLENGE] = { "challenge", CONFIG_T_STRING, CONFIG_REQ,
	    set_challenge, 0 },
	[I_ENV] = { "env", CONFIG_T_TABLE, 0, config_set_env,
	    offsetof(struct config_identifier, env) },
};

int
config_identifier(struct config_ctx *ctx, const struct config_item *it,
    struct config_identifier *id)
{
	struct config_seen seen;
	const struct config_item *a, *b;
	int rc;

	rc = config_table(ctx, it, "an identifier", ident_keys, I__COUNT, id,
	    &seen);
	if (seen.found[I_DNS] && seen.found[I_IP]) {
		a = &seen.item[I_DNS];
		b = &seen.item[I_IP];
		if (a->kline > b->kline ||
		    (a->kline == b->kline && a->kcol > b->kcol))
			b = a;
		return config_error_key(ctx, b, "an identifier has either dns "
		    "or ip, not both");
	}
	if (!seen.found[I_DNS] && !seen.found[I_IP])
		return config_error(ctx, it, "an identifier needs a dns or an "
		    "ip key");
	if (rc == -1 || id->challenge == NULL)
		return -1;
	if (id->type == CRYPTO_IDENT_IP && strcmp(id->challenge, "dns-01") == 0)
		return config_error(ctx, &seen.item[I_CHALLENGE], "challenge: "
		    "dns-01 cannot be used with an IP address (use http-01 or "
		    "tls-alpn-01)");
	if (id->type == CRYPTO_IDENT_DNS && strncmp(id->value, "*.", 2) == 0 &&
	    strcmp(id->challenge, "dns-01") != 0)
		return config_error(ctx, &seen.item[I_CHALLENGE], "challenge: "
		    "the wildcard \"%s\" can only be validated with dns-01, not "
		    "%s", id->raw, id->challenge);
	return 0;
}

void
config_identifier_free(struct config_identifier *id)
{
	free(id->value);
	free(id->raw);
	free(id->challenge);
	config_env_free(&id->env);
	id->value = id->raw = id->challenge = NULL;
}
