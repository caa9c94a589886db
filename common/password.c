/*
 * yescrypt hashing and constant-time verification.
 */
#include <crypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "password.h"
#include "text.h"

int
password_hash(const char *pw, char *out, size_t outlen)
{
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	*data;
	int			 rc = -1;

	/* NULL random bytes: libxcrypt draws the salt from the kernel. */
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return -1;
	if ((data = calloc(1, sizeof(*data))) == NULL)
		return -1;
	if (crypt_r(pw, salt, data) != NULL && data->output[0] != '*' &&
	    strlen(data->output) < outlen) {
		memcpy(out, data->output, strlen(data->output) + 1);
		rc = 0;
	}
	explicit_bzero(data, sizeof(*data));
	free(data);
	return rc;
}

int
password_verify(const char *pw, const char *hash)
{
	struct crypt_data	*data;
	size_t			 len = strlen(hash);
	int			 ok = 0;

	if ((data = calloc(1, sizeof(*data))) == NULL)
		return 0;
	if (crypt_r(pw, hash, data) != NULL && data->output[0] != '*' &&
	    strlen(data->output) == len)
		ok = text_equal_ct(data->output, hash, len);
	explicit_bzero(data, sizeof(*data));
	free(data);
	return ok;
}

static char		dummy_hash[256];
static pthread_once_t	dummy_once = PTHREAD_ONCE_INIT;

static void
password_make_dummy(void)
{
	unsigned char	 rnd[24];
	char		 pw[sizeof(rnd) * 2 + 1];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return;
	text_hex(rnd, sizeof(rnd), pw);
	if (password_hash(pw, dummy_hash, sizeof(dummy_hash)) == -1)
		dummy_hash[0] = '\0';
	explicit_bzero(pw, sizeof(pw));
}

const char *
password_dummy_hash(void)
{
	(void)pthread_once(&dummy_once, password_make_dummy);
	return dummy_hash[0] != '\0' ? dummy_hash : NULL;
}
