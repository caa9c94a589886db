/*
 * Password hashing with yescrypt through libxcrypt: slow, salted, and
 * maintained by the distribution.
 */
#ifndef COMMON_PASSWORD_H
#define COMMON_PASSWORD_H

#include <stddef.h>

/* Writes a "$y$..." hash of pw into out. 0 or -1. */
int	password_hash(const char *pw, char *out, size_t outlen);

/*
 * 1 when pw matches hash, 0 otherwise. Takes the same time whether or not
 * the hash is real: call it with password_dummy_hash() for an unknown
 * address so that timing does not tell which addresses exist.
 */
int	password_verify(const char *pw, const char *hash);

/* A hash of a random password, made once per process. NULL on failure. */
const char *password_dummy_hash(void);

#endif
