#ifndef MANAGESIEVED_COPENSSL_SHIM_H
#define MANAGESIEVED_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

/* OpenSSL exposes these as function-like or composite macros, which Swift cannot import. */

static inline int shim_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int shim_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long shim_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long shim_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline int shim_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline int shim_SSL_get_extms_support(SSL *ssl) { return (int)SSL_get_extms_support(ssl); }
static inline const EVP_MD *shim_EVP_get_digestbynid(int nid) { return EVP_get_digestbynid(nid); }
static inline void shim_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline void shim_OPENSSL_clear_free(void *p, size_t count) { OPENSSL_clear_free(p, count); }

static inline uint64_t shim_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t shim_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t shim_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t shim_SSL_OP_IGNORE_UNEXPECTED_EOF(void) { return SSL_OP_IGNORE_UNEXPECTED_EOF; }
static inline uint64_t shim_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline long shim_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }
static inline long shim_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline long shim_SSL_SESS_CACHE_OFF(void) { return SSL_SESS_CACHE_OFF; }

/* Password schemes Dovecot stores as raw MD4/MD5 material. OpenSSL 3 offers MD4 through EVP only with the
   legacy provider, and no EVP call exposes MD5's chaining values; the low-level functions do both. */
#include <openssl/md4.h>
#include <openssl/md5.h>

static inline int shim_MD4(const unsigned char *data, size_t count, unsigned char digest[16]) {
    return MD4(data, count, digest) != NULL;
}

/* MD5's four chaining values after one 64-octet block: HMAC-MD5's precomputed inner or outer context,
   which is what Dovecot's CRAM-MD5/HMAC-MD5 scheme stores. */
static inline void shim_MD5_state_after_block(const unsigned char block[64], uint32_t state[4]) {
    MD5_CTX context;
    MD5_Init(&context);
    MD5_Update(&context, block, 64);
    state[0] = context.A;
    state[1] = context.B;
    state[2] = context.C;
    state[3] = context.D;
    OPENSSL_cleanse(&context, sizeof context);
}

/* JWS verification: public keys built from JWK parameters. */
static inline int shim_EVP_PKEY_PUBLIC_KEY(void) { return EVP_PKEY_PUBLIC_KEY; }
static inline int shim_EVP_PKEY_ED25519(void) { return EVP_PKEY_ED25519; }
static inline int shim_RSA_PKCS1_PSS_PADDING(void) { return RSA_PKCS1_PSS_PADDING; }
static inline int shim_RSA_PSS_SALTLEN_DIGEST(void) { return RSA_PSS_SALTLEN_DIGEST; }

#endif
