// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_nlmon.c - the rtnetlink monitor's decoder: links, IPv4 addresses, forwarding; malformed
 * input. */
#include "testlib.h"
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "nlmon.h"

static const __u8 mac1[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

/* Append one message to buf at *off; returns it for more attributes. */
static struct nlmsghdr *put_msg(char *buf, size_t *off, __u16 type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);

	nlh->nlmsg_type = type;
	return nlh;
}

static void end_msg(struct nlmsghdr *nlh, size_t *off)
{
	*off += MNL_ALIGN(nlh->nlmsg_len);
}

static void put_link(char *buf, size_t *off, __u16 type, int ifindex, const char *name,
		     const __u8 *mac, unsigned int flags)
{
	struct nlmsghdr *nlh = put_msg(buf, off, type);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	end_msg(nlh, off);
}

static void put_addr(char *buf, size_t *off, __u16 type, int family, int ifindex, const char *ip,
		     __u8 plen)
{
	struct nlmsghdr *nlh = put_msg(buf, off, type);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	__u8 a[16] = {0};

	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	inet_pton(family, ip, a);
	mnl_attr_put(nlh, IFA_ADDRESS, family == AF_INET ? 4 : 16, a);
	mnl_attr_put(nlh, IFA_LOCAL, family == AF_INET ? 4 : 16, a);
	mnl_attr_put_strz(nlh, IFA_LABEL, "eth0");
	end_msg(nlh, off);
}

static void put_netconf(char *buf, size_t *off, int ifindex, int fwd)
{
	struct nlmsghdr *nlh = put_msg(buf, off, RTM_NEWNETCONF);
	struct netconfmsg *ncm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ncm));

	ncm->ncm_family = AF_INET;
	mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, (__u32)ifindex);
	if (fwd >= 0)
		mnl_attr_put_u32(nlh, NETCONFA_FORWARDING, (__u32)fwd);
	mnl_attr_put_u32(nlh, NETCONFA_RP_FILTER, 0);
	end_msg(nlh, off);
}

static void links_decode(void **state)
{
	static char buf[4096];
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[8];
	size_t off = 0;

	put_link(buf, &off, RTM_NEWLINK, 7, "eth0", mac1, 0x1 /* IFF_UP */);
	put_link(buf, &off, RTM_DELLINK, 7, "eth0", NULL, 0);
	assert_int_equal(xglb_nlmon_decode(buf, off, ev, 8, &st), 2);
	assert_int_equal(ev[0].type, XGLB_NLEV_LINK);
	assert_int_equal(ev[0].ifindex, 7);
	assert_string_equal(ev[0].name, "eth0");
	assert_true(ev[0].has_mac);
	assert_memory_equal(ev[0].mac, mac1, 6);
	assert_true(ev[0].up);
	assert_int_equal(ev[1].type, XGLB_NLEV_LINK_DEL);
	assert_string_equal(ev[1].name, "eth0");
	assert_false(ev[1].has_mac);
	assert_false(ev[1].up);
	assert_int_equal(st.events, 2);
	assert_int_equal(st.malformed, 0);
}

static void addrs_decode_ipv6_ignored(void **state)
{
	static char buf[4096];
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[8];
	size_t off = 0;
	__be32 want;

	put_addr(buf, &off, RTM_NEWADDR, AF_INET, 3, "10.0.0.77", 24);
	put_addr(buf, &off, RTM_NEWADDR, AF_INET6, 3, "fe80::1", 64);
	put_addr(buf, &off, RTM_DELADDR, AF_INET, 1, "10.0.0.1", 32);
	assert_int_equal(xglb_nlmon_decode(buf, off, ev, 8, &st), 2);
	inet_pton(AF_INET, "10.0.0.77", &want);
	assert_int_equal(ev[0].type, XGLB_NLEV_ADDR);
	assert_int_equal(ev[0].ifindex, 3);
	assert_int_equal(ev[0].addr, want);
	assert_int_equal(ev[0].prefixlen, 24);
	inet_pton(AF_INET, "10.0.0.1", &want);
	assert_int_equal(ev[1].type, XGLB_NLEV_ADDR_DEL);
	assert_int_equal(ev[1].ifindex, 1);
	assert_int_equal(ev[1].addr, want);
	assert_int_equal(ev[1].prefixlen, 32);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(st.malformed, 0);
}

static void netconf_decode(void **state)
{
	static char buf[4096];
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[8];
	size_t off = 0;

	put_netconf(buf, &off, 5, 0);
	put_netconf(buf, &off, NETCONFA_IFINDEX_ALL, 1);
	put_netconf(buf, &off, NETCONFA_IFINDEX_DEFAULT, 0);
	put_netconf(buf, &off, 6, -1); /* rp_filter only: forwarding not said */
	assert_int_equal(xglb_nlmon_decode(buf, off, ev, 8, &st), 4);
	assert_int_equal(ev[0].type, XGLB_NLEV_NETCONF);
	assert_int_equal(ev[0].ifindex, 5);
	assert_int_equal(ev[0].forwarding, 0);
	assert_int_equal(ev[1].ifindex, XGLB_NLEV_IF_ALL);
	assert_int_equal(ev[1].forwarding, 1);
	assert_int_equal(ev[2].ifindex, XGLB_NLEV_IF_DEFAULT);
	assert_int_equal(ev[2].forwarding, 0);
	assert_int_equal(ev[3].ifindex, 6);
	assert_int_equal(ev[3].forwarding, -1);
}

/* An attribute longer than its message: that message is skipped, the next one decoded. */
static void bad_attribute_skips_message(void **state)
{
	static char buf[4096];
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[8];
	size_t off = 0, first;
	struct nlattr *a;

	put_link(buf, &off, RTM_NEWLINK, 7, "eth0", mac1, 1);
	first = off;
	put_addr(buf, &off, RTM_NEWADDR, AF_INET, 3, "10.0.0.9", 24);
	/* the link's first attribute (IFLA_IFNAME) claims 200 bytes */
	a = (struct nlattr *)(buf + MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct ifinfomsg)));
	a->nla_len = 200;
	assert_int_equal(xglb_nlmon_decode(buf, off, ev, 8, &st), 1);
	assert_int_equal(ev[0].type, XGLB_NLEV_ADDR);
	assert_int_equal(st.malformed, 1);
	(void)first;
}

/* A name that fills IFLA_IFNAME without a terminator, a zero ifindex, an
 * IPv4 address of 2 bytes: each skipped, none trusted. */
static void bad_fields_rejected(void **state)
{
	static char buf[4096];
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[8];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	size_t off = 0;

	nlh = put_msg(buf, &off, RTM_NEWLINK);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 4;
	mnl_attr_put(nlh, IFLA_IFNAME, 16, "abcdefghijklmnop");
	end_msg(nlh, &off);
	put_link(buf, &off, RTM_NEWLINK, 0, "eth1", mac1, 1);
	nlh = put_msg(buf, &off, RTM_NEWADDR);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_index = 2;
	mnl_attr_put_u16(nlh, IFA_LOCAL, 7);
	end_msg(nlh, &off);
	assert_int_equal(xglb_nlmon_decode(buf, off, ev, 8, &st), 0);
	assert_int_equal(st.malformed, 3);
}

/* A buffer cut inside a message: decoded up to it, the rest counted, nothing read past len. */
static void truncated_buffer(void **state)
{
	static char buf[4096];
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[8];
	size_t off = 0, one;

	put_link(buf, &off, RTM_NEWLINK, 7, "eth0", mac1, 1);
	one = off;
	put_link(buf, &off, RTM_NEWLINK, 8, "eth1", mac1, 1);
	for (size_t cut = one + 1; cut < off; cut++) {
		memset(&st, 0, sizeof(st));
		assert_int_equal(xglb_nlmon_decode(buf, cut, ev, 8, &st), 1);
		assert_int_equal(ev[0].ifindex, 7);
		assert_int_equal(st.malformed, 1);
	}
	memset(&st, 0, sizeof(st));
	assert_int_equal(xglb_nlmon_decode(buf, 0, ev, 8, &st), 0);
	assert_int_equal(xglb_nlmon_decode(NULL, 0, ev, 8, &st), 0);
	assert_int_equal(st.malformed, 0);
}

/* At most max events; other message types are ignored. */
static void max_and_other_types(void **state)
{
	static char buf[4096];
	struct xglb_nlmon_stats st = {0};
	struct xglb_nlev ev[2];
	size_t off = 0;
	struct nlmsghdr *nlh;

	nlh = put_msg(buf, &off, NLMSG_DONE);
	end_msg(nlh, &off);
	for (int i = 1; i <= 3; i++)
		put_link(buf, &off, RTM_NEWLINK, i, "x", NULL, 0);
	assert_int_equal(xglb_nlmon_decode(buf, off, ev, 2, &st), 2);
	assert_int_equal(ev[1].ifindex, 2);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(st.malformed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(links_decode),	   cmocka_unit_test(addrs_decode_ipv6_ignored),
	    cmocka_unit_test(netconf_decode),	   cmocka_unit_test(bad_attribute_skips_message),
	    cmocka_unit_test(bad_fields_rejected), cmocka_unit_test(truncated_buffer),
	    cmocka_unit_test(max_and_other_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
