/*
 * IP networks, and the client's address behind trusted proxies.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

/*
 * Reads the address text s (len bytes) into family and addr, an
 * IPv4-mapped IPv6 address as the IPv4 one. 0 or -1.
 */
static int
netaddr_parse(const char *s, size_t len, int *family, unsigned char *addr)
{
	char	 text[NETADDR_TEXT_MAX];

	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, addr) != 1)
		return -1;
	*family = AF_INET6;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
		memmove(addr, addr + 12, 4);
		*family = AF_INET;
	}
	return 0;
}

/* Whether the first bits of a and b are the same. */
static int
netaddr_prefix_equal(const unsigned char *a, const unsigned char *b,
    int bits)
{
	int	 whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)whole) != 0)
		return 0;
	return rest == 0 ||
	    ((a[whole] ^ b[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
netaddr_parse_net(const char *s, size_t len, struct netaddr_net *net)
{
	const char	*slash = memchr(s, '/', len);
	size_t		 alen = slash ? (size_t)(slash - s) : len;
	char		 digits[4], *end;
	size_t		 dlen;
	long		 bits;
	int		 i, max;

	memset(net, 0, sizeof(*net));
	if (netaddr_parse(s, alen, &net->family, net->addr) == -1)
		return -1;
	max = net->family == AF_INET ? 32 : 128;
	net->bits = max;
	if (slash == NULL)
		return 0;
	dlen = len - alen - 1;
	if (dlen == 0 || dlen >= sizeof(digits) ||
	    strspn(slash + 1, "0123456789") < dlen)
		return -1;
	memcpy(digits, slash + 1, dlen);
	digits[dlen] = '\0';
	bits = strtol(digits, &end, 10);
	if (bits > max)
		return -1;
	net->bits = (int)bits;
	/* "10.0.0.1/8" is a typo for a host or for 10.0.0.0/8: refused. */
	for (i = net->bits; i < max; i++)
		if (net->addr[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return 0;
}

int
netaddr_in(const struct netaddr_net *nets, size_t n, const char *addr)
{
	unsigned char	 a[16];
	int		 family;
	size_t		 i;

	if (netaddr_parse(addr, strlen(addr), &family, a) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (nets[i].family == family &&
		    netaddr_prefix_equal(nets[i].addr, a, nets[i].bits))
			return 1;
	return 0;
}

int
netaddr_host_loopback(const char *host)
{
	struct netaddr_net	 loop[2];
	char			 bare[NETADDR_TEXT_MAX];
	size_t			 len = strlen(host);

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof(bare))
		return 0;
	memcpy(bare, host, len);
	bare[len] = '\0';
	if (netaddr_parse_net("127.0.0.0/8", 11, &loop[0]) == -1 ||
	    netaddr_parse_net("::1", 3, &loop[1]) == -1)
		return 0;
	return netaddr_in(loop, 2, bare);
}

/* Copies the len bytes at s into out as a string, cut to fit. */
static void
netaddr_copy(char *out, size_t outlen, const char *s, size_t len)
{
	if (outlen == 0)
		return;
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

void
netaddr_client(const char *peer, const char *xff,
    const struct netaddr_net *trusted, size_t n, char *out, size_t outlen)
{
	unsigned char	 a[16];
	char		 entry[NETADDR_TEXT_MAX];
	const char	*end, *start;
	size_t		 len;
	int		 family;

	netaddr_copy(out, outlen, peer, strlen(peer));
	if (xff == NULL || !netaddr_in(trusted, n, peer))
		return;
	end = xff + strlen(xff);
	while (end > xff) {
		/* The entry before end, without its spaces and comma. */
		while (end > xff && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == ','))
			end--;
		start = end;
		while (start > xff && start[-1] != ',' && start[-1] != ' ' &&
		    start[-1] != '\t')
			start--;
		len = (size_t)(end - start);
		if (len == 0)
			break;
		if (netaddr_parse(start, len, &family, a) == -1)
			return;
		netaddr_copy(entry, sizeof(entry), start, len);
		netaddr_copy(out, outlen, entry, len);
		if (!netaddr_in(trusted, n, entry))
			return;
		end = start;
	}
}
