/*
 * ossl.h - OpenSSL objects behind crypto handles, for TLS setup only:
 * tacd passes them to SSL_CTX_use_certificate() and
 * SSL_CTX_use_PrivateKey(), which take their own references.  Nothing else
 * should include this header: the rest of the project stays free of
 * OpenSSL types.
 */
#ifndef ACMED_CRYPTO_OSSL_H
#define ACMED_CRYPTO_OSSL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/alpn_cert.h"

/* Borrowed, valid until crypto_alpn_cert_free(). */
EVP_PKEY *crypto_alpn_cert_pkey(const struct crypto_alpn_cert *c);
X509	*crypto_alpn_cert_x509(const struct crypto_alpn_cert *c);

#endif
