/*
 * IP networks, and the client's address behind trusted proxies. A
 * request that came through a load balancer has the balancer's address
 * as its peer; the client's is the last one the balancer added to
 * X-Forwarded-For. Only proxies named in PORTAL_TRUSTED_PROXIES are
 * believed: anyone else's X-Forwarded-For is the client's own writing.
 */
#ifndef COMMON_NETADDR_H
#define COMMON_NETADDR_H

#include <stddef.h>

/* Room for any address as text (INET6_ADDRSTRLEN). */
#define NETADDR_TEXT_MAX	46

/* An IPv4 or IPv6 network: an address and the bits of its prefix. */
struct netaddr_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	int		 bits;
};

/*
 * Reads the len bytes at s: an address ("10.0.0.5", "::1"), or a network
 * in CIDR notation ("10.0.0.0/8", "fd00::/8"). 0, or -1 when it is
 * neither, or has bits set past its prefix.
 */
int	netaddr_parse_net(const char *s, size_t len, struct netaddr_net *);

/* Whether the address text addr is in one of the n nets. */
int	netaddr_in(const struct netaddr_net *nets, size_t n, const char *addr);

/*
 * Whether host, as a URL names it, is the loopback: "localhost", or an
 * address in 127.0.0.0/8 or ::1, an IPv6 one bracketed or not.
 */
int	netaddr_host_loopback(const char *host);

/*
 * The client's address, into out: peer itself, unless peer is one of the
 * n trusted nets and xff (the request's X-Forwarded-For, NULL: none) has
 * addresses; then, walking xff from its right end (the entry the nearest
 * proxy added), the first address not trusted, or the leftmost when all
 * are. An entry that is not an address stops the walk: the address
 * before it stands, as no trusted proxy wrote the entry.
 */
void	netaddr_client(const char *peer, const char *xff,
	    const struct netaddr_net *trusted, size_t n, char *out,
	    size_t outlen);

#endif
