// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_nlmon.c - the rtnetlink monitor's decoder: links, IPv4 addresses, forwarding, unicast
 * filter entries; malformed input. */
#include "testlib.h"
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "nlmon.h"

static const __u8 mac1[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

/* One test's netlink messages (off bytes of buf) and what the decoder made of them. */
struct nl {
	char buf[4096];
	size_t off;
	struct xglb_nlmon_stats st;
	struct xglb_nlev ev[8];
};

static int fresh(void **state)
{
	static struct nl t;

	memset(&t, 0, sizeof(t));
	*state = &t;
	return 0;
}

/* Decodes the first len bytes into at most max events; returns how many. */
static int decode(struct nl *t, size_t len, int max)
{
	return xglb_nlmon_decode(t->buf, len, t->ev, max, &t->st);
}

/* Append one message; returns it for more attributes. */
static struct nlmsghdr *put_msg(struct nl *t, __u16 type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(t->buf + t->off);

	nlh->nlmsg_type = type;
	return nlh;
}

static void end_msg(struct nl *t, struct nlmsghdr *nlh)
{
	t->off += MNL_ALIGN(nlh->nlmsg_len);
}

static void put_link(struct nl *t, __u16 type, int ifindex, const char *name, const __u8 *mac,
		     unsigned int flags)
{
	struct nlmsghdr *nlh = put_msg(t, type);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	end_msg(t, nlh);
}

static void put_addr(struct nl *t, __u16 type, int family, int ifindex, const char *ip, __u8 plen)
{
	struct nlmsghdr *nlh = put_msg(t, type);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	__u8 a[16] = {0};

	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	inet_pton(family, ip, a);
	mnl_attr_put(nlh, IFA_ADDRESS, family == AF_INET ? 4 : 16, a);
	mnl_attr_put(nlh, IFA_LOCAL, family == AF_INET ? 4 : 16, a);
	mnl_attr_put_strz(nlh, IFA_LABEL, "eth0");
	end_msg(t, nlh);
}

static void put_netconf_af(struct nl *t, __u8 family, int ifindex, int fwd)
{
	struct nlmsghdr *nlh = put_msg(t, RTM_NEWNETCONF);
	struct netconfmsg *ncm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ncm));

	ncm->ncm_family = family;
	mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, (__u32)ifindex);
	if (fwd >= 0)
		mnl_attr_put_u32(nlh, NETCONFA_FORWARDING, (__u32)fwd);
	mnl_attr_put_u32(nlh, NETCONFA_RP_FILTER, 0);
	end_msg(t, nlh);
}

static void put_netconf(struct nl *t, int ifindex, int fwd)
{
	put_netconf_af(t, AF_INET, ifindex, fwd);
}

/* A neighbour message: family, flags, ifindex, an NDA_LLADDR of lllen bytes (0: none), NDA_MASTER.
 */
static void put_neigh(struct nl *t, __u16 type, int family, __u8 flags, int ifindex,
		      const __u8 *lladdr, int lllen, int master)
{
	struct nlmsghdr *nlh = put_msg(t, type);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_flags = flags;
	if (lllen)
		mnl_attr_put(nlh, NDA_LLADDR, lllen, lladdr);
	if (master)
		mnl_attr_put_u32(nlh, NDA_MASTER, (__u32)master);
	end_msg(t, nlh);
}

/*
 * A device's own filter entries (bridge fdb add/del ... self) are events; a
 * bridge's learned entries, ARP neighbours and messages of other kinds are
 * ignored; a bad address or ifindex is malformed.
 */
static void fdb_decode(void **state)
{
	static const __u8 ip4[4] = {10, 0, 0, 1};
	struct nl *t = *state;

	put_neigh(t, RTM_NEWNEIGH, AF_BRIDGE, NTF_SELF, 9, mac1, 6, 0);
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF, 9, mac1, 6, 0);
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, 0, 9, mac1, 6, 4); /* bridge-learned */
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF | NTF_MASTER, 9, mac1, 6, 0);
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF, 9, mac1, 6, 4); /* NDA_MASTER */
	put_neigh(t, RTM_NEWNEIGH, AF_INET, 0, 9, ip4, 4, 0);		/* ARP */
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF, 9, mac1, 4, 0); /* short lladdr */
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF, 9, NULL, 0, 0); /* no lladdr */
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF, 0, mac1, 6, 0); /* no ifindex */
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF, -3, mac1, 6, 0);
	put_neigh(t, RTM_DELNEIGH, AF_BRIDGE, NTF_SELF, 11, mac1, 6, 0); /* after them */
	assert_int_equal(decode(t, t->off, 8), 3);
	assert_int_equal(t->ev[0].type, XGLB_NLEV_FDB);
	assert_int_equal(t->ev[0].ifindex, 9);
	assert_true(t->ev[0].has_mac);
	assert_memory_equal(t->ev[0].mac, mac1, 6);
	assert_int_equal(t->ev[1].type, XGLB_NLEV_FDB_DEL);
	assert_int_equal(t->ev[1].ifindex, 9);
	assert_memory_equal(t->ev[1].mac, mac1, 6);
	assert_int_equal(t->ev[2].type, XGLB_NLEV_FDB_DEL);
	assert_int_equal(t->ev[2].ifindex, 11);
	assert_int_equal(t->st.events, 3);
	assert_int_equal(t->st.ignored, 4);
	assert_int_equal(t->st.malformed, 4);
}

/* A neighbour message too short for its ndmsg is malformed, not read past. */
static void fdb_short_header(void **state)
{
	struct nl *t = *state;
	struct nlmsghdr *nlh = put_msg(t, RTM_DELNEIGH);

	nlh->nlmsg_len = NLMSG_HDRLEN + 4; /* half an ndmsg */
	t->buf[NLMSG_HDRLEN] = AF_BRIDGE;
	end_msg(t, nlh);
	assert_int_equal(decode(t, t->off, 2), 0);
	assert_int_equal(t->st.malformed, 1);
}

static void links_decode(void **state)
{
	struct nl *t = *state;

	put_link(t, RTM_NEWLINK, 7, "eth0", mac1, 0x1 /* IFF_UP */);
	put_link(t, RTM_DELLINK, 7, "eth0", NULL, 0);
	assert_int_equal(decode(t, t->off, 8), 2);
	assert_int_equal(t->ev[0].type, XGLB_NLEV_LINK);
	assert_int_equal(t->ev[0].ifindex, 7);
	assert_string_equal(t->ev[0].name, "eth0");
	assert_true(t->ev[0].has_mac);
	assert_memory_equal(t->ev[0].mac, mac1, 6);
	assert_true(t->ev[0].up);
	assert_int_equal(t->ev[1].type, XGLB_NLEV_LINK_DEL);
	assert_string_equal(t->ev[1].name, "eth0");
	assert_false(t->ev[1].has_mac);
	assert_false(t->ev[1].up);
	assert_int_equal(t->st.events, 2);
	assert_int_equal(t->st.malformed, 0);
}

static void addrs_decode_ipv6_ignored(void **state)
{
	struct nl *t = *state;
	__be32 want;

	put_addr(t, RTM_NEWADDR, AF_INET, 3, "10.0.0.77", 24);
	put_addr(t, RTM_NEWADDR, AF_INET6, 3, "2001:db8::5", 64);
	put_addr(t, RTM_DELADDR, AF_INET, 1, "10.0.0.1", 32);
	assert_int_equal(decode(t, t->off, 8), 2);
	inet_pton(AF_INET, "10.0.0.77", &want);
	assert_int_equal(t->ev[0].type, XGLB_NLEV_ADDR);
	assert_int_equal(t->ev[0].ifindex, 3);
	assert_int_equal(t->ev[0].addr, want);
	assert_int_equal(t->ev[0].prefixlen, 24);
	inet_pton(AF_INET, "10.0.0.1", &want);
	assert_int_equal(t->ev[1].type, XGLB_NLEV_ADDR_DEL);
	assert_int_equal(t->ev[1].ifindex, 1);
	assert_int_equal(t->ev[1].addr, want);
	assert_int_equal(t->ev[1].prefixlen, 32);
	assert_int_equal(t->st.ignored, 1);
	assert_int_equal(t->st.malformed, 0);
}

/*
 * An IPv6 address removed is an event (a virtual one may need putting back);
 * one added only if it is a link-local (the egress guard's source for the
 * kernel's NS from a virtual address).
 */
static void addrs_decode_ipv6_removed(void **state)
{
	struct nl *t = *state;
	__u8 want[16];

	put_addr(t, RTM_DELADDR, AF_INET6, 4, "fe80::78:67ff:fe62:100", 128);
	put_addr(t, RTM_NEWADDR, AF_INET6, 4, "2001:db8::1", 128);
	put_addr(t, RTM_NEWADDR, AF_INET6, 5, "fe80::aff:fe00:2", 64);
	put_addr(t, RTM_NEWADDR, AF_INET6, 5, "fec0::1", 64);
	assert_int_equal(decode(t, t->off, 8), 2);
	inet_pton(AF_INET6, "fe80::78:67ff:fe62:100", want);
	assert_int_equal(t->ev[0].type, XGLB_NLEV_ADDR6_DEL);
	assert_int_equal(t->ev[0].ifindex, 4);
	assert_int_equal(t->ev[0].prefixlen, 128);
	assert_memory_equal(t->ev[0].addr6, want, 16);
	inet_pton(AF_INET6, "fe80::aff:fe00:2", want);
	assert_int_equal(t->ev[1].type, XGLB_NLEV_ADDR6);
	assert_int_equal(t->ev[1].ifindex, 5);
	assert_int_equal(t->ev[1].prefixlen, 64);
	assert_memory_equal(t->ev[1].addr6, want, 16);
	assert_int_equal(t->st.ignored, 2);
	assert_int_equal(t->st.malformed, 0);
}

static void netconf_decode(void **state)
{
	struct nl *t = *state;

	put_netconf(t, 5, 0);
	put_netconf(t, NETCONFA_IFINDEX_ALL, 1);
	put_netconf(t, NETCONFA_IFINDEX_DEFAULT, 0);
	put_netconf(t, 6, -1); /* rp_filter only: forwarding not said */
	assert_int_equal(decode(t, t->off, 8), 4);
	assert_int_equal(t->ev[0].type, XGLB_NLEV_NETCONF);
	assert_int_equal(t->ev[0].ifindex, 5);
	assert_int_equal(t->ev[0].forwarding, 0);
	assert_int_equal(t->ev[1].ifindex, XGLB_NLEV_IF_ALL);
	assert_int_equal(t->ev[1].forwarding, 1);
	assert_int_equal(t->ev[2].ifindex, XGLB_NLEV_IF_DEFAULT);
	assert_int_equal(t->ev[2].forwarding, 0);
	assert_int_equal(t->ev[3].ifindex, 6);
	assert_int_equal(t->ev[3].forwarding, -1);
	for (int i = 0; i < 4; i++)
		assert_false(t->ev[i].v6);
}

/* IPv6 forwarding (net.ipv6.conf.*.forwarding): an event of its own family; others ignored. */
static void netconf6_decode(void **state)
{
	struct nl *t = *state;
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[4];

	put_netconf_af(t, AF_INET6, 5, 0);
	put_netconf_af(t, AF_INET6, NETCONFA_IFINDEX_ALL, 1);
	put_netconf_af(t, AF_BRIDGE, 5, 0);
	assert_int_equal(xglb_nlmon_decode(t->buf, t->off, ev, 4, &st), 2);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(ev[0].type, XGLB_NLEV_NETCONF);
	assert_true(ev[0].v6);
	assert_int_equal(ev[0].ifindex, 5);
	assert_int_equal(ev[0].forwarding, 0);
	assert_true(ev[1].v6);
	assert_int_equal(ev[1].ifindex, XGLB_NLEV_IF_ALL);
	assert_int_equal(ev[1].forwarding, 1);
}

/* An attribute longer than its message: that message is skipped, the next one decoded. */
static void bad_attribute_skips_message(void **state)
{
	struct nl *t = *state;
	struct nlattr *a;

	put_link(t, RTM_NEWLINK, 7, "eth0", mac1, 1);
	put_addr(t, RTM_NEWADDR, AF_INET, 3, "10.0.0.9", 24);
	/* the link's first attribute (IFLA_IFNAME) claims 200 bytes */
	a = (struct nlattr *)(t->buf + MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct ifinfomsg)));
	a->nla_len = 200;
	assert_int_equal(decode(t, t->off, 8), 1);
	assert_int_equal(t->ev[0].type, XGLB_NLEV_ADDR);
	assert_int_equal(t->st.malformed, 1);
}

/* A name that fills IFLA_IFNAME without a terminator, a zero ifindex, an
 * IPv4 address of 2 bytes: each skipped, none trusted. */
static void bad_fields_rejected(void **state)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	struct nl *t = *state;

	nlh = put_msg(t, RTM_NEWLINK);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 4;
	mnl_attr_put(nlh, IFLA_IFNAME, 16, "abcdefghijklmnop");
	end_msg(t, nlh);
	put_link(t, RTM_NEWLINK, 0, "eth1", mac1, 1);
	nlh = put_msg(t, RTM_NEWADDR);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_index = 2;
	mnl_attr_put_u16(nlh, IFA_LOCAL, 7);
	end_msg(t, nlh);
	assert_int_equal(decode(t, t->off, 8), 0);
	assert_int_equal(t->st.malformed, 3);
}

/* A buffer cut inside a message: decoded up to it, the rest counted, nothing read past len. */
static void truncated_buffer(void **state)
{
	struct nl *t = *state;
	size_t one;

	put_link(t, RTM_NEWLINK, 7, "eth0", mac1, 1);
	one = t->off;
	put_link(t, RTM_NEWLINK, 8, "eth1", mac1, 1);
	for (size_t cut = one + 1; cut < t->off; cut++) {
		memset(&t->st, 0, sizeof(t->st));
		assert_int_equal(decode(t, cut, 8), 1);
		assert_int_equal(t->ev[0].ifindex, 7);
		assert_int_equal(t->st.malformed, 1);
	}
	memset(&t->st, 0, sizeof(t->st));
	assert_int_equal(decode(t, 0, 8), 0);
	assert_int_equal(xglb_nlmon_decode(NULL, 0, t->ev, 8, &t->st), 0);
	assert_int_equal(t->st.malformed, 0);
}

/* At most max events; other message types are ignored. */
static void max_and_other_types(void **state)
{
	struct nl *t = *state;
	struct nlmsghdr *nlh;

	nlh = put_msg(t, NLMSG_DONE);
	end_msg(t, nlh);
	for (int i = 1; i <= 3; i++)
		put_link(t, RTM_NEWLINK, i, "x", NULL, 0);
	assert_int_equal(decode(t, t->off, 2), 2);
	assert_int_equal(t->ev[1].ifindex, 2);
	assert_int_equal(t->st.ignored, 1);
	assert_int_equal(t->st.malformed, 0);
}

T_MAIN(cmocka_unit_test_setup(links_decode, fresh),
       cmocka_unit_test_setup(addrs_decode_ipv6_ignored, fresh),
       cmocka_unit_test_setup(addrs_decode_ipv6_removed, fresh),
       cmocka_unit_test_setup(netconf_decode, fresh),
       cmocka_unit_test_setup(netconf6_decode, fresh),
       cmocka_unit_test_setup(bad_attribute_skips_message, fresh),
       cmocka_unit_test_setup(bad_fields_rejected, fresh),
       cmocka_unit_test_setup(truncated_buffer, fresh),
       cmocka_unit_test_setup(max_and_other_types, fresh),
       cmocka_unit_test_setup(fdb_decode, fresh), cmocka_unit_test_setup(fdb_short_header, fresh))
