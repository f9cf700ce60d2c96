// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_hosts.c - the host table (bpf/lib/hosts.h) through test_run: the
 * front cache and what invalidates it, the new-host budget, a full bucket
 * and a full table (answered, unrecorded, counted by reason, for ARP and
 * NDP), a way another CPU is claiming, hosts the agent records, a flood of
 * new MACs against established hosts, and the agent's ageing pass
 * (user/xglbd/hostage.c) and table helper (user/lib/hosttab.c) on the
 * real map.
 */
#include <sched.h>
#include "harness.h"
#include "hostage.h"

static const __u8 H_VLL6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

static void setup(struct h_env *e)
{
	struct xglb_group_state st;

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	memcpy(st.vip6[0], H_VLL6, 16);
	h_install(e, &st, 1);
}

/* One request from host (Ethernet source and ARP sender alike): verdict; *fwd the vMAC's index. */
static int ask_verdict(struct h_env *e, const __u8 *host, int *fwd)
{
	struct h_frame in, out;

	h_arp_request(&in, host, H_HOSTIP, H_VIP);
	*fwd = -1;
	int v = h_run_xdp(e, &in, &out);

	if (v == XDP_TX) {
		assert_int_equal(out.len, sizeof(struct xglb_arp_frame));
		assert_memory_equal(h_arpf(&out)->eth_dst, host, 6);
		assert_memory_equal(h_arpf(&out)->sha, H_VMAC(H_GID, 0), 5);
		*fwd = h_arpf(&out)->sha[5];
	}
	return v;
}

/* An NS from host for the virtual link-local: the forwarder the NA names. */
static int ns_fwd(struct h_env *e, const __u8 *host)
{
	struct h_frame in, out;

	h_ns_resolve(&in, host, H_HOST6G, H_VLL6);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	assert_int_equal(out.len, 86);
	assert_memory_equal(out.b + 80, H_VMAC(H_GID, 0), 5);
	return out.b[85];
}

/* Every CPU's new-host budget: `used` of XGLB_HOST_NEW_PER_SEC spent in the second begun now. */
static void budget_set(struct h_env *e, __u32 used)
{
	struct xglb_host_rl rl[e->ncpu];
	__u32 zero = 0;

	for (int c = 0; c < e->ncpu; c++)
		rl[c] = (struct xglb_host_rl){.window = h_ctl(e)->hb_jiffies, .used = used};
	assert_int_equal(
	    bpf_map_update_elem(bpf_map__fd(e->skel->maps.xglb_host_rl), &zero, rl, BPF_ANY), 0);
}

/* Host mac's tag word in group H_GID, without state bits. */
static __u64 h_tag(const __u8 *mac)
{
	struct xglb_host_key k = h_host_key(H_GID, mac);

	return xglb_host_key_word(&k);
}

/* The tag of way i of mac's bucket. */
static __u64 h_bucket_tag(struct h_env *e, const __u8 *mac, int i)
{
	return h_host_bucket(e, H_GID, mac)[i].tag;
}

/* Free ways in mac's bucket. */
static int h_bucket_free(struct h_env *e, const __u8 *mac)
{
	int n = 0;

	for (int i = 0; i < XGLB_HOST_WAYS; i++)
		n += h_bucket_tag(e, mac, i) == 0;
	return n;
}

/*
 * A host that asks again is established; its answers then come from the
 * per-CPU front cache (an entry removed behind the data path's back is
 * still answered, not re-recorded) until xglb_ctl.hosts_gen moves, as
 * every writer of xglb_hosts outside the data path makes it.
 */
static void test_front_cache(void **state)
{
	struct h_env *e = *state;
	struct xglb_host h;
	struct xglb_host_key k = h_host_key(H_GID, H_HOST);
	int a;

	setup(e);
	a = h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), a);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.flags, XGLB_HOST_ESTABLISHED);

	/* removed without a word: the cache answers, nothing is recorded */
	assert_int_equal(xglb_hosttab_delete(&e->hosts, &k, NULL), 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), a);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), -ENOENT);
	/* a new address is not the cache's to answer: the table is read (and it is a new host) */
	assert_int_equal(h_ask(e, H_HOST, H_HOST2IP, H_GID, H_VIP), (a + 1) % 3);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.ip, H_HOST2IP);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOST2IP, H_GID, H_VIP), (a + 1) % 3);

	/* rewritten, and said so (hosts_gen): the next answer follows the table */
	h.flags = XGLB_HOST_ESTABLISHED;
	assert_int_equal(xglb_hosttab_delete(&e->hosts, &k, NULL), 0);
	assert_int_equal(xglb_hosttab_insert(&e->hosts, &k, &h), 0);
	assert_int_equal(xglb_hosttab_set_fwd(&e->hosts, &k, 2), 0);
	h_hosts_changed(e);
	assert_int_equal(h_ask(e, H_HOST, H_HOST2IP, H_GID, H_VIP), 2);
	/* removed and said so: recorded again as a new host */
	assert_int_equal(h_hosts_clear(e), 1);
	h_ask(e, H_HOST, H_HOST2IP, H_GID, H_VIP);
	assert_int_equal(h_hosts_count(e), 1);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 7);
}

/*
 * A known host whose forwarder goes inactive is never answered with it
 * from the cache: the group is checked on every hit.
 */
static void test_front_cache_checks_forwarder(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	struct xglb_host h;

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	h_install(e, &st, 1);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0); /* cached */
	st.version = 2;
	st.fwd[0].active = false;
	h_install(e, &st, 1);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 2);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 2);
	assert_int_equal(h.flags, XGLB_HOST_ESTABLISHED); /* same host, same standing */
}

/* How many CPUs' front-cache entries of host (group H_GID) carry an ARP answer of the bank in
 * force. */
static int arp_entries(struct h_env *e, const __u8 *host)
{
	struct xglb_host_key k = h_host_key(H_GID, host);
	__u64 key = xglb_host_key_word(&k);
	__u32 slot = xglb_host_cache_slot(key);
	struct xglb_host_cached c[e->ncpu];
	int n = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.xglb_host_cache), &slot, c),
			 0);
	for (int i = 0; i < e->ncpu; i++)
		if (c[i].key == key && c[i].arp && c[i].flips == (__u32)h_ctl(e)->flips) {
			assert_int_equal(c[i].vip, H_VIP);
			assert_int_equal(c[i].ip, H_HOSTIP);
			assert_int_equal(c[i].ifindex, H_IFINDEX);
			n++;
		}
	return n;
}

/* Since before, exactly one frame was counted, under reason r. */
static void one_reason(struct h_env *e, const __u64 before[XGLB_STATS_SLOTS], __u32 r)
{
	__u64 after[XGLB_STATS_SLOTS];

	h_stats(e, after);
	h_assert_one_reason(before, after, r);
}

/*
 * A known host asking again is answered from its front-cache entry alone
 * (arp.h, arp_known): the full path's answer byte for byte, counted
 * alike, without reading the group (a write behind the data path's back
 * into the active bank, which the agent never makes, is not seen), until
 * the next bank flip. Everything the full path checks on the frame or
 * the lease is still checked: a sender address that is a VIP now, a
 * spoofed sender, a unicast request to a vMAC, another interface, an
 * expired lease; an NDP answer to the same host in between, and a new
 * bank (another interface MAC), are followed.
 */
static void test_known_answer(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st[2];
	struct h_frame in, out, full;
	struct xglb_group g;
	__u32 key;
	int fd = bpf_map__fd(e->skel->maps.xglb_groups);
	__u64 before[XGLB_STATS_SLOTS];
	cpu_set_t one, was;
	__u8 other[6];

	/* one CPU: the entry is per CPU */
	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	h_state(&st[0], H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	memcpy(st[0].vip6[0], H_VLL6, 16);
	h_state(&st[1], H_GID + 1, H_HOST2IP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	h_install(e, st, 2);
	key = XGLB_GROUP_KEY(xglb_bank_active(&e->bank), H_GID);
	h_arp_request(&in, H_HOST, H_HOSTIP, H_VIP);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX); /* new: kept, not established */
	assert_int_equal(arp_entries(e, H_HOST), 1);
	assert_int_equal(h_run_xdp(e, &in, &full), XDP_TX); /* established by the full path */
	assert_int_equal(arp_entries(e, H_HOST), 1);
	h_stats(e, before);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	h_assert_bytes("known answer", out.b, out.len, full.b, full.len);
	one_reason(e, before, XGLB_R_XDP_TX_ARP_REPLY);

	/* the group behind the data path's back: not AVG; the entry answers all the same */
	assert_int_equal(bpf_map_lookup_elem(fd, &key, &g), 0);
	g.flags &= (__u8)~XGLB_GRP_AVG;
	assert_int_equal(bpf_map_update_elem(fd, &key, &g, BPF_ANY), 0);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	h_assert_bytes("known answer, group unread", out.b, out.len, full.b, full.len);
	g.flags |= XGLB_GRP_AVG;
	assert_int_equal(bpf_map_update_elem(fd, &key, &g, BPF_ANY), 0);

	/* what the frame says is checked on every answer */
	h_stats(e, before);
	h_arp_request(&in, H_HOST, H_HOST2IP, H_VIP); /* from group 8's VIP */
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	one_reason(e, before, XGLB_R_XDP_DROP_ARP_VIP_CONFLICT);
	memcpy(other, H_HOST2, 6);
	h_arp(&in, H_BCAST, other, XGLB_ARPOP_REQUEST, H_HOST, H_HOSTIP, H_ZERO, H_VIP);
	h_stats(e, before);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	one_reason(e, before, XGLB_R_XDP_DROP_ARP_SPOOFED);
	h_arp(&in, H_VMAC(H_GID, 1), H_HOST, XGLB_ARPOP_REQUEST, H_HOST, H_HOSTIP, H_ZERO, H_VIP);
	h_stats(e, before);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP); /* forwarder 1 is node 2's */
	one_reason(e, before, XGLB_R_XDP_DROP_VMAC_REMOTE);
	h_arp_request(&in, H_HOST, H_HOSTIP, H_VIP);
	h_stats(e, before);
	assert_int_equal(h_run_xdp_on(e, 2, &in, &out), XDP_DROP);
	one_reason(e, before, XGLB_R_XDP_DROP_ARP_IFACE);
	h_heartbeat(e, 3000000000ull, 2000000000ull);
	h_stats(e, before);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	one_reason(e, before, XGLB_R_XDP_DROP_ARP_LEASE);
	h_heartbeat(e, 0, H_LEASE_NS);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	h_assert_bytes("known answer, lease back", out.b, out.len, full.b, full.len);

	/* an NS of the same host takes the entry; the next ARP answer is the full path's */
	assert_int_equal(ns_fwd(e, H_HOST), full.b[27]);
	assert_int_equal(arp_entries(e, H_HOST), 0);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	h_assert_bytes("after an NS", out.b, out.len, full.b, full.len);
	assert_int_equal(arp_entries(e, H_HOST), 1);

	/* a new bank: the new interface MAC, from the first answer after the flip */
	st[0].version = 2;
	st[0].ifmac[0][5] ^= 0x10;
	h_install(e, st, 2);
	assert_int_equal(arp_entries(e, H_HOST), 0); /* kept under the flip before */
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	assert_memory_equal(h_arpf(&out)->eth_src, st[0].ifmac[0], 6);
	assert_memory_equal(h_arpf(&out)->sha, h_arpf(&full)->sha, 6);
	assert_int_equal(arp_entries(e, H_HOST), 1);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	assert_memory_equal(h_arpf(&out)->eth_src, st[0].ifmac[0], 6);
	assert_int_equal(sched_setaffinity(0, sizeof(was), &was), 0);
}

/*
 * How many CPUs' front-cache entries of host (group H_GID) carry an NS answer for target under
 * the bank flip in force.
 */
static int ns_entries(struct h_env *e, const __u8 *host, const __u8 *target)
{
	struct xglb_host_key k = h_host_key(H_GID, host);
	__u64 key = xglb_host_key_word(&k);
	__u32 slot = xglb_host_cache_slot(key);
	struct xglb_host_cached c[e->ncpu];
	int n = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.xglb_host_cache), &slot, c),
			 0);
	for (int i = 0; i < e->ncpu; i++)
		if (c[i].key == key && c[i].ns && c[i].flips == (__u32)h_ctl(e)->flips &&
		    !memcmp(c[i].vip6, target, 16)) {
			assert_int_equal(c[i].ifindex, H_IFINDEX);
			n++;
		}
	return n;
}

/* in, then one byte of it changed (and, if csum, the checksum mended), through xglb_xdp. */
static int run_changed(struct h_env *e, const struct h_frame *in, int at, __u8 v, bool csum,
		       struct h_frame *out)
{
	struct h_frame f = *in;

	f.b[at] = v;
	if (csum)
		h_icmp6_csum(&f);
	return h_run_xdp(e, &f, out);
}

/* frame through xglb_xdp: verdict v, counted once under reason r, the frame left as want. */
static void run_one(struct h_env *e, const struct h_frame *in, int v, __u32 r,
		    const struct h_frame *want)
{
	__u64 before[XGLB_STATS_SLOTS];
	struct h_frame out;

	h_stats(e, before);
	assert_int_equal(h_run_xdp(e, in, &out), v);
	one_reason(e, before, r);
	h_assert_bytes("frame", out.b, out.len, want->b, want->len);
}

/*
 * The NS twin of test_known_answer: a known host soliciting again is
 * answered from its front-cache entry alone (ndp.h, ndp_known), the full
 * path's NA byte for byte, counted alike, without reading the group,
 * until the next bank flip. Everything the full path checks on the frame
 * or the lease is still checked. A dual-stack host's entry keeps both
 * answers while they share interface, MACs and flips; an answer of one
 * family under a new flip clears the other's, so a VIP or virtual IPv6
 * address a commit took away is never answered from the entry; a
 * forwarder gone and a table rewritten by the agent are followed.
 */
static void test_known_ns_answer(void **state)
{
	const __be32 new_vip = h_ip(10, 0, 0, 3);
	struct h_env *e = *state;
	struct xglb_group_state st;
	struct h_frame in, in6, out, full, full6, arp, arp_full, f;
	struct xglb_group g;
	struct xglb_host h;
	struct xglb_host_key k = h_host_key(H_GID, H_HOST);
	int fd = bpf_map__fd(e->skel->maps.xglb_groups), fwd;
	__u8 sn[16], snmac[6];
	cpu_set_t one, was;
	__u32 key;

	/* one CPU: the entry is per CPU */
	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	memcpy(st.vip6[0], H_VLL6, 16);
	memcpy(st.vip6[1], H_VIP6, 16);
	h_install(e, &st, 1);
	key = XGLB_GROUP_KEY(xglb_bank_active(&e->bank), H_GID);
	h_ns_resolve(&in, H_HOST, H_HOST6, H_VLL6);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX); /* new: kept, not established */
	assert_int_equal(ns_entries(e, H_HOST, H_VLL6), 1);
	assert_int_equal(h_run_xdp(e, &in, &full), XDP_TX); /* established by the full path */
	assert_int_equal(ns_entries(e, H_HOST, H_VLL6), 1);
	assert_int_equal(full.len, 86);
	assert_memory_equal(full.b + 6, H_IFMAC, 6);
	assert_memory_equal(full.b + 80, H_VMAC(H_GID, 0), 6);
	run_one(e, &in, XDP_TX, XGLB_R_XDP_TX_NA_REPLY, &full);

	/* the group behind the data path's back: not AVG; the entry answers all the same */
	assert_int_equal(bpf_map_lookup_elem(fd, &key, &g), 0);
	g.flags &= (__u8)~XGLB_GRP_AVG;
	assert_int_equal(bpf_map_update_elem(fd, &key, &g, BPF_ANY), 0);
	run_one(e, &in, XDP_TX, XGLB_R_XDP_TX_NA_REPLY, &full);
	g.flags |= XGLB_GRP_AVG;
	assert_int_equal(bpf_map_update_elem(fd, &key, &g, BPF_ANY), 0);

	/* what the frame says is checked on every answer */
	{
		__u64 before[XGLB_STATS_SLOTS];

		h_stats(e, before);
		assert_int_equal(run_changed(e, &in, 57, in.b[57] ^ 1, false, &out), XDP_DROP);
		one_reason(e, before, XGLB_R_XDP_DROP_NDP_CHECKSUM);
		h_stats(e, before);
		assert_int_equal(run_changed(e, &in, 21, 64, true, &out), XDP_DROP);
		one_reason(e, before, XGLB_R_XDP_DROP_NDP_HOP_LIMIT);
		h_stats(e, before);
		assert_int_equal(run_changed(e, &in, 55, 1, true, &out), XDP_DROP); /* code 1 */
		one_reason(e, before, XGLB_R_XDP_DROP_NDP_INVALID);
		h_stats(e, before);
		assert_int_equal(run_changed(e, &in, 85, 0x02, true, &out), XDP_DROP); /* SLLA */
		one_reason(e, before, XGLB_R_XDP_DROP_NDP_BAD_SENDER);
	}
	h_sn6(H_VLL6, sn, snmac);
	h_ns(&f, snmac, H_HOST, H_UNSPEC6, sn, H_VLL6, H_HOST); /* a probe with an SLLA */
	run_one(e, &f, XDP_DROP, XGLB_R_XDP_DROP_NDP_INVALID, &f);
	h_ns(&f, snmac, H_HOST, H_UNSPEC6, sn, H_VLL6, NULL); /* a probe: defended */
	{
		__u64 before[XGLB_STATS_SLOTS];

		h_stats(e, before);
		assert_int_equal(h_run_xdp(e, &f, &out), XDP_TX);
		one_reason(e, before, XGLB_R_XDP_TX_NA_DAD);
		assert_memory_equal(out.b, H_ALLNODES_MAC, 6);
	}
	h_ns(&f, H_VMAC(H_GID, 1), H_HOST, H_HOST6, H_VLL6, H_VLL6, H_HOST); /* node 2's vMAC */
	run_one(e, &f, XDP_DROP, XGLB_R_XDP_DROP_VMAC_REMOTE, &f);
	h_ns_resolve(&f, H_HOST, H_VIP6, H_VLL6); /* from a virtual address: a claim */
	run_one(e, &f, XDP_DROP, XGLB_R_XDP_DROP_NDP_VIP_CONFLICT, &f);
	{
		__u64 before[XGLB_STATS_SLOTS];

		h_stats(e, before);
		assert_int_equal(h_run_xdp_on(e, 2, &in, &out), XDP_DROP);
		one_reason(e, before, XGLB_R_XDP_DROP_NDP_IFACE);
	}
	h_heartbeat(e, 3000000000ull, 2000000000ull);
	run_one(e, &in, XDP_DROP, XGLB_R_XDP_DROP_NDP_LEASE, &in);
	h_heartbeat(e, 0, H_LEASE_NS);
	run_one(e, &in, XDP_TX, XGLB_R_XDP_TX_NA_REPLY, &full);

	/* another target: the full path's answer, which the entry then keeps */
	h_ns_resolve(&in6, H_HOST, H_HOST6G, H_VIP6);
	assert_int_equal(h_run_xdp(e, &in6, &full6), XDP_TX);
	assert_memory_equal(full6.b + 22, H_VIP6, 16);
	assert_memory_equal(full6.b + 80, H_VMAC(H_GID, 0), 6);
	assert_int_equal(ns_entries(e, H_HOST, H_VIP6), 1);
	assert_int_equal(ns_entries(e, H_HOST, H_VLL6), 0);
	run_one(e, &in6, XDP_TX, XGLB_R_XDP_TX_NA_REPLY, &full6);

	/* dual stack: an ARP answer (the table learns the address) and the NS answer share it */
	h_arp_request(&arp, H_HOST, H_HOSTIP, H_VIP);
	assert_int_equal(h_run_xdp(e, &arp, &arp_full), XDP_TX);
	assert_int_equal(arp_entries(e, H_HOST), 1);
	assert_int_equal(ns_entries(e, H_HOST, H_VIP6), 0); /* filled from the table again */
	run_one(e, &in6, XDP_TX, XGLB_R_XDP_TX_NA_REPLY, &full6);
	assert_int_equal(arp_entries(e, H_HOST), 1); /* kept: same interface, MACs, flips */
	assert_int_equal(ns_entries(e, H_HOST, H_VIP6), 1);
	g.flags &= (__u8)~XGLB_GRP_AVG; /* both from the entry alone */
	assert_int_equal(bpf_map_update_elem(fd, &key, &g, BPF_ANY), 0);
	run_one(e, &in6, XDP_TX, XGLB_R_XDP_TX_NA_REPLY, &full6);
	run_one(e, &arp, XDP_TX, XGLB_R_XDP_TX_ARP_REPLY, &arp_full);
	g.flags |= XGLB_GRP_AVG;
	assert_int_equal(bpf_map_update_elem(fd, &key, &g, BPF_ANY), 0);

	/*
	 * A new bank: another VIP, the vip6 gone, another interface MAC. The NS
	 * answer under it rewrites the entry and clears the ARP answer of
	 * before: the old VIP is no VIP now, and is not answered.
	 */
	st.version = 2;
	st.vip = new_vip;
	memset(st.vip6[1], 0, 16);
	st.ifmac[0][5] ^= 0x10;
	h_install(e, &st, 1);
	run_one(e, &in6, XDP_PASS, XGLB_R_XDP_PASS_NDP_OTHER, &in6);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	assert_memory_equal(out.b + 6, st.ifmac[0], 6);
	f = full;
	memcpy(f.b + 6, st.ifmac[0], 6);
	h_assert_bytes("after a flip", out.b, out.len, f.b, f.len);
	assert_int_equal(ns_entries(e, H_HOST, H_VLL6), 1);
	assert_int_equal(arp_entries(e, H_HOST), 0);
	run_one(e, &arp, XDP_PASS, XGLB_R_XDP_PASS_ARP_OTHER, &arp);
	run_one(e, &in, XDP_TX, XGLB_R_XDP_TX_NA_REPLY, &f);

	/* and the other way: an ARP answer under a new flip clears the NS answer (VLL gone) */
	st.version = 3;
	memcpy(st.vip6[0], H_VIP6, 16);
	h_install(e, &st, 1);
	h_arp_request(&arp, H_HOST, H_HOSTIP, new_vip);
	assert_int_equal(h_run_xdp(e, &arp, &out), XDP_TX);
	assert_int_equal(ns_entries(e, H_HOST, H_VLL6), 0);
	run_one(e, &in, XDP_PASS, XGLB_R_XDP_PASS_NDP_OTHER, &in);

	/* the host's forwarder gone: the full path moves it, the NA names the new one */
	assert_int_equal(h_run_xdp(e, &in6, &out), XDP_TX);
	assert_int_equal(ns_entries(e, H_HOST, H_VIP6), 1);
	st.version = 4;
	st.fwd[0].active = false;
	h_install(e, &st, 1);
	assert_int_equal(h_run_xdp(e, &in6, &out), XDP_TX);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_not_equal(h.fwd, 0);
	assert_memory_equal(out.b + 80, H_VMAC(H_GID, h.fwd), 6);
	assert_int_equal(ns_entries(e, H_HOST, H_VIP6), 1);

	/* the table rewritten by the agent, and said so: the next NA follows it */
	fwd = h.fwd == 1 ? 2 : 1;
	assert_int_equal(xglb_hosttab_set_fwd(&e->hosts, &k, (__u8)fwd), 0);
	h_hosts_changed(e);
	assert_int_equal(h_run_xdp(e, &in6, &out), XDP_TX);
	assert_memory_equal(out.b + 80, H_VMAC(H_GID, fwd), 6);
	assert_int_equal(sched_setaffinity(0, sizeof(was), &was), 0);
}

/*
 * Each CPU records at most XGLB_HOST_NEW_PER_SEC new hosts a second; the
 * ones beyond are answered by policy, unrecorded, counted as
 * xdp_tx_arp_rate_limited / xdp_tx_na_rate_limited. Known hosts, and a
 * known host moved off a dead forwarder, spend nothing.
 */
static void test_new_host_budget(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	__u8 mac[6];
	int fwd;

	setup(e);
	h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP);
	h_stats(e, before);
	budget_set(e, XGLB_HOST_NEW_PER_SEC - 3);
	for (__u32 n = 0; n < 3; n++) {
		h_host_mac(100 + n, mac);
		assert_int_equal(ask_verdict(e, mac, &fwd), XDP_TX);
	}
	assert_int_equal(h_hosts_count(e), 4);
	h_host_mac(103, mac);
	assert_int_equal(ask_verdict(e, mac, &fwd), XDP_TX); /* answered all the same */
	assert_int_equal(fwd, 1);			     /* round-robin went on */
	assert_int_equal(h_host_get(e, H_GID, mac, &(struct xglb_host){0}), -ENOENT);
	assert_int_equal(ns_fwd(e, mac), 2);
	assert_int_equal(h_host_get(e, H_GID, mac, &(struct xglb_host){0}), -ENOENT);
	/* a known host still is */
	h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP);
	h_stats(e, after);
	h_assert_reasons(before, after,
			 (__u32[]){XGLB_R_XDP_TX_ARP_REPLY, XGLB_R_XDP_TX_ARP_REPLY,
				   XGLB_R_XDP_TX_ARP_REPLY, XGLB_R_XDP_TX_ARP_REPLY,
				   XGLB_R_XDP_TX_ARP_RATE_LIMITED, XGLB_R_XDP_TX_NA_RATE_LIMITED},
			 6);
	assert_int_equal(h_hosts_count(e), 4);
	/* the next second brings a new budget */
	budget_set(e, 0);
	h_stats(e, before);
	assert_int_equal(ask_verdict(e, mac, &fwd), XDP_TX);
	assert_int_equal(h_host_get(e, H_GID, mac, &(struct xglb_host){0}), 0);
	h_stats(e, after);
	h_assert_one_reason(before, after, XGLB_R_XDP_TX_ARP_REPLY);
}

/*
 * Fill xglb_hosts to its last way with hosts of group gid answered once,
 * now, as the agent records them: MACs first, first + 1, ... each into its
 * bucket if that has room (host first + i gets forwarder i % 3).
 */
static __u32 fill_table(struct h_env *e, __u32 first)
{
	__u32 cap = (__u32)xglb_hosttab_capacity(&e->hosts), n = h_hosts_count(e);

	for (__u32 i = 0; n < cap; i++) {
		struct xglb_host h = {.fwd = (__u8)(i % 3),
				      .ip = H_HOST2IP,
				      .first_jiffies = h_ctl(e)->hb_jiffies,
				      .last_jiffies = h_ctl(e)->hb_jiffies};
		__u8 mac[6];
		int err;

		assert_true(i < 64 * cap); /* every bucket is met long before */
		h_host_mac(first + i, mac);
		err = h_host_put(e, H_GID, mac, &h);
		assert_true(err == 0 || err == -ENOSPC);
		n += err == 0;
	}
	assert_int_equal(h_hosts_count(e), cap);
	h_hosts_changed(e);
	return cap;
}

/* The MAC of the n-th host (from `from` on) whose bucket is that of mac, and not mac. */
static __u32 same_bucket(struct h_env *e, const __u8 *mac, __u32 from, __u32 n, __u8 out[6])
{
	struct xglb_host_way *want = h_host_bucket(e, H_GID, mac);

	for (__u32 i = from;; i++) {
		h_host_mac(i, out);
		if (h_host_bucket(e, H_GID, out) == want && memcmp(out, mac, 6) && !n--)
			return i;
	}
}

/*
 * A full bucket refuses a new host (answered, unrecorded: *_untracked)
 * though the table has room, and keeps every host it holds, established
 * or not: nothing is evicted. The agent's insert is refused alike.
 */
static void test_full_bucket(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	__u8 mac[XGLB_HOST_WAYS][6], other[6];
	struct xglb_host h;
	__u32 at = 0x500000;
	int fwd[XGLB_HOST_WAYS], f;

	setup(e);
	/* H_HOST's bucket, way by way: half established, half answered once */
	for (int i = 0; i < XGLB_HOST_WAYS; i++) {
		at = same_bucket(e, H_HOST, at, 0, mac[i]) + 1;
		fwd[i] = h_ask(e, mac[i], H_HOSTIP, H_GID, H_VIP);
		if (i % 2)
			assert_int_equal(h_ask(e, mac[i], H_HOSTIP, H_GID, H_VIP), fwd[i]);
	}
	assert_int_equal(h_hosts_count(e), XGLB_HOST_WAYS);
	h_stats(e, before);
	assert_int_equal(ask_verdict(e, H_HOST, &f), XDP_TX);
	assert_int_equal(f, XGLB_HOST_WAYS % 3); /* by policy all the same */
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), -ENOENT);
	assert_int_equal(ns_fwd(e, H_HOST), (f + 1) % 3);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), -ENOENT);
	/* another bucket still takes a new host */
	h_host_mac(at, other);
	while (h_host_bucket(e, H_GID, other) == h_host_bucket(e, H_GID, H_HOST))
		h_host_mac(++at, other);
	assert_int_equal(ask_verdict(e, other, &f), XDP_TX);
	assert_int_equal(h_host_get(e, H_GID, other, &h), 0);
	h_stats(e, after);
	h_assert_reasons(before, after,
			 (__u32[]){XGLB_R_XDP_TX_ARP_UNTRACKED, XGLB_R_XDP_TX_NA_UNTRACKED,
				   XGLB_R_XDP_TX_ARP_REPLY},
			 3);
	assert_int_equal(h_host_put(e, H_GID, H_HOST, &h), -ENOSPC);
	for (int i = 0; i < XGLB_HOST_WAYS; i++) {
		assert_int_equal(h_host_get(e, H_GID, mac[i], &h), 0);
		assert_int_equal(h.fwd, fwd[i]);
		assert_int_equal(h.flags, i % 2 ? XGLB_HOST_ESTABLISHED : 0);
	}
	/* one goes (the agent ages it): the next question takes its way */
	{
		struct xglb_host_key k = h_host_key(H_GID, mac[0]);

		assert_int_equal(xglb_hosttab_delete(&e->hosts, &k, NULL), 0);
	}
	assert_int_equal(ask_verdict(e, H_HOST, &f), XDP_TX);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, f);
	assert_int_equal(h_bucket_tag(e, H_HOST, 0), h_tag(H_HOST) | XGLB_HOST_TAG_LIVE);
}

/*
 * Another CPU claiming a way (tag BUSY): for the same host, the request is
 * answered by policy and the way left to that CPU (no second entry); for
 * another host, the claimed way is passed over. A claim its writer never
 * finished (killed) is freed by the agent's second look.
 */
static void test_claimed_way(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct xglb_host_way *b = h_host_bucket(e, H_GID, H_HOST);
	__u64 stale[2 * 4];
	__u32 n_stale = 0;
	struct xglb_host h;
	__u8 other[6];
	int f;

	setup(e);
	b[0].tag = h_tag(H_HOST) | XGLB_HOST_TAG_BUSY;
	h_stats(e, before);
	assert_int_equal(ask_verdict(e, H_HOST, &f), XDP_TX);
	assert_int_equal(f, 0);
	assert_int_equal(b[0].tag, h_tag(H_HOST) | XGLB_HOST_TAG_BUSY);
	for (int i = 1; i < XGLB_HOST_WAYS; i++)
		assert_int_equal(b[i].tag, 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), -EBUSY);
	/* another host of the bucket: the way after the claimed one */
	same_bucket(e, H_HOST, 0x600000, 0, other);
	assert_int_equal(ask_verdict(e, other, &f), XDP_TX);
	assert_int_equal(f, 1);
	assert_int_equal(b[1].tag, h_tag(other) | XGLB_HOST_TAG_LIVE);
	assert_int_equal(b[1].host.fwd, 1);
	h_stats(e, after);
	h_assert_reasons(before, after, (__u32[]){XGLB_R_XDP_TX_ARP_REPLY, XGLB_R_XDP_TX_ARP_REPLY},
			 2);
	/* the agent: the first look notes the claim, the second frees it */
	assert_int_equal(xglb_hosttab_reap(&e->hosts, stale, 4, &n_stale), 0);
	assert_int_equal(n_stale, 1);
	assert_int_equal(xglb_hosttab_reap(&e->hosts, stale, 4, &n_stale), 1);
	assert_int_equal(n_stale, 0);
	assert_int_equal(b[0].tag, 0);
	assert_int_equal(ask_verdict(e, H_HOST, &f), XDP_TX);
	assert_int_equal(f, 2);
	assert_int_equal(b[0].tag, h_tag(H_HOST) | XGLB_HOST_TAG_LIVE);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 2);
}

/*
 * A host the agent records (carried over from an older table at start,
 * or written by a tool) is answered from the table with its forwarder,
 * and marked established by the data path as any host asking again.
 */
static void test_agent_insert(void **state)
{
	struct h_env *e = *state;
	struct xglb_host h = {.fwd = 2, .ip = H_HOSTIP, .first_jiffies = 1, .last_jiffies = 1};

	setup(e);
	assert_int_equal(h_host_put(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h_host_put(e, H_GID, H_HOST, &h), -EEXIST);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 2);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 2);
	assert_int_equal(h.flags, XGLB_HOST_ESTABLISHED);
	assert_int_equal(h.first_jiffies, 1);
	assert_int_equal(h_hosts_count(e), 1);
}

/* A full table refuses new hosts (answered, unrecorded: *_untracked) and keeps every entry. */
static void test_full_table(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct xglb_host h;
	__u8 mac[6];
	__u32 cap;
	int fwd;

	setup(e);
	h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP);
	cap = fill_table(e, 0x100000);
	h_stats(e, before);
	h_host_mac(7, mac);
	assert_int_equal(h_host_get(e, H_GID, mac, &h), -ENOENT);
	assert_int_equal(ask_verdict(e, mac, &fwd), XDP_TX);
	assert_int_equal(h_host_get(e, H_GID, mac, &h), -ENOENT);
	assert_int_equal(ns_fwd(e, mac), (fwd + 1) % 3);
	/* the hosts already there are answered from the table */
	h_host_mac(0x100000 + 5, mac);
	assert_int_equal(ask_verdict(e, mac, &fwd), XDP_TX);
	assert_int_equal(fwd, 5 % 3);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	h_stats(e, after);
	h_assert_reasons(before, after,
			 (__u32[]){XGLB_R_XDP_TX_ARP_UNTRACKED, XGLB_R_XDP_TX_NA_UNTRACKED,
				   XGLB_R_XDP_TX_ARP_REPLY, XGLB_R_XDP_TX_ARP_REPLY},
			 4);
	assert_int_equal(h_hosts_count(e), cap);
}

/*
 * A flood of new MACs (and of spoofed requests, whose ARP sender is not
 * the Ethernet source) against 1,000 established hosts and 200 answered
 * once, in a table full but for ROOM ways: each flood MAC is recorded
 * exactly when its bucket has a free way and the budget lasts, else
 * answered unrecorded; every host that was there keeps its forwarder.
 * Spoofed requests spend no budget and record nothing.
 */
static void test_flood_keeps_hosts(void **state)
{
	enum { EST = 1000, ONCE = 200, ROOM = 300, FLOOD = 3000 };
	struct h_env *e = *state;
	static __u8 fwd_of[EST + ONCE];
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct xglb_host h;
	struct h_frame in, out;
	__u32 cap = (__u32)xglb_hosttab_capacity(&e->hosts), room, took = 0;
	__u8 mac[6], mac2[6];
	int fwd;

	setup(e);
	for (__u32 n = 0; n < EST + ONCE; n++) {
		h_host_mac(n, mac);
		fwd_of[n] = (__u8)h_ask(e, mac, H_HOSTIP, H_GID, H_VIP);
		if (n < EST)
			h_ask(e, mac, H_HOSTIP, H_GID, H_VIP);
	}
	/* the rest of the table full of other hosts, but ROOM ways */
	fill_table(e, 0x200000);
	for (__u32 i = 0, freed = 0; freed < ROOM; i++) {
		struct xglb_host_key k = h_host_key(H_GID, (__u8[6]){0});

		h_host_mac(0x200000 + i, k.mac);
		freed += xglb_hosttab_delete(&e->hosts, &k, NULL) == 0;
	}
	h_hosts_changed(e);
	room = ROOM;
	h_stats(e, before);
	/* spoofed: host n's MAC as ARP sender from another source */
	budget_set(e, XGLB_HOST_NEW_PER_SEC - 1);
	for (__u32 n = 0; n < 100; n++) {
		h_host_mac(0x300000 + n, mac);
		h_host_mac(0x310000 + n, mac2);
		h_arp(&in, H_BCAST, mac2, XGLB_ARPOP_REQUEST, mac, H_HOSTIP, H_ZERO, H_VIP);
		assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	}
	assert_int_equal(h_hosts_count(e), cap - room);
	/* the last of the budget, into a bucket with room */
	for (__u32 n = 0x320000;; n++) {
		h_host_mac(n, mac);
		if (h_bucket_free(e, mac))
			break;
	}
	assert_int_equal(ask_verdict(e, mac, &fwd), XDP_TX);
	assert_int_equal(h_host_get(e, H_GID, mac, &h), 0);
	room--;
	budget_set(e, 0);
	for (__u32 n = 0; n < FLOOD; n++) {
		bool free_way;

		h_host_mac(0x400000 + n * 7919, mac);
		free_way = h_bucket_free(e, mac) > 0;
		assert_int_equal(ask_verdict(e, mac, &fwd), XDP_TX);
		assert_int_equal(h_host_get(e, H_GID, mac, &h) == 0, free_way);
		took += free_way;
	}
	h_stats(e, after);
	print_message("the flood of %d took %u of the %u free ways\n", FLOOD, took, room);
	assert_true(took > 0 && took <= room);
	assert_int_equal(after[XGLB_R_XDP_DROP_ARP_SPOOFED] - before[XGLB_R_XDP_DROP_ARP_SPOOFED],
			 100);
	assert_int_equal(after[XGLB_R_XDP_TX_ARP_REPLY] - before[XGLB_R_XDP_TX_ARP_REPLY],
			 took + 1);
	assert_int_equal(after[XGLB_R_XDP_TX_ARP_UNTRACKED] - before[XGLB_R_XDP_TX_ARP_UNTRACKED],
			 FLOOD - took);
	assert_int_equal(
	    after[XGLB_R_XDP_TX_ARP_RATE_LIMITED] - before[XGLB_R_XDP_TX_ARP_RATE_LIMITED], 0);
	assert_int_equal(h_hosts_count(e), cap - room + took);
	for (__u32 n = 0; n < EST + ONCE; n++) {
		h_host_mac(n, mac);
		assert_int_equal(h_host_get(e, H_GID, mac, &h), 0);
		assert_int_equal(h.fwd, fwd_of[n]);
		assert_int_equal(h.flags, n < EST ? XGLB_HOST_ESTABLISHED : 0);
		assert_int_equal(h_ask(e, mac, H_HOSTIP, H_GID, H_VIP), fwd_of[n]);
	}
	cap = h_hosts_count(e); /* the entries the ageing pass meets */

	/* the agent's ageing, probation over: the hosts answered once go (the flood's with them) */
	{
		__u32 hz = h_ctl(e)->hz ? h_ctl(e)->hz : 100, gen = 0;
		__u64 now = h_ctl(e)->hb_jiffies + (XGLB_HOSTAGE_PROBATION_S + 5) * (__u64)hz;
		struct xglb_hostage_pass p;
		__u32 n_est = 0;

		if (!h_ctl(e)->hz)
			now = h_ctl(e)->hb_jiffies; /* jiffies unknown here: nothing to age */
		assert_int_equal(xglb_hostage_run(&e->hosts, cap, now, hz, &gen, &p), 0);
		if (!h_ctl(e)->hz)
			skip();
		assert_int_equal(p.entries, cap);
		/* 1,000 established + the 200 answered once that asked again just above */
		assert_int_equal(p.established, EST + ONCE);
		assert_int_equal(p.aged_once, cap - EST - ONCE);
		assert_int_equal(p.aged_idle, 0);
		assert_int_equal(gen, 1);
		for (__u32 n = 0; n < EST + ONCE; n++) {
			h_host_mac(n, mac);
			n_est += h_host_get(e, H_GID, mac, &h) == 0 && h.fwd == fwd_of[n];
		}
		assert_int_equal(n_est, EST + ONCE);
		assert_int_equal(h_hosts_count(e), EST + ONCE);
	}
}

/* An entry for ageing tests: established or not, last heard `ago` jiffies before now. */
static void put(struct h_env *e, __u32 n, bool est, __u64 now, __s64 ago)
{
	struct xglb_host_key k = {.gid = H_GID};
	struct xglb_host h = {.fwd = 1,
			      .flags = est ? XGLB_HOST_ESTABLISHED : 0,
			      .ip = H_HOSTIP,
			      .first_jiffies = now - ago,
			      .last_jiffies = now - ago};

	h_host_mac(n, k.mac);
	xglb_hosttab_delete(&e->hosts, &k, NULL);
	assert_int_equal(xglb_hosttab_insert(&e->hosts, &k, &h), 0);
}

static bool has(struct h_env *e, __u32 n)
{
	__u8 mac[6];

	h_host_mac(n, mac);
	return h_host_get(e, H_GID, mac, &(struct xglb_host){0}) == 0;
}

/* Hosts 2..7 but gone are in the table, gone is not. */
static void only_gone(struct h_env *e, __u32 gone)
{
	assert_false(has(e, gone));
	for (__u32 n = 2; n <= 7; n++)
		assert_true(n == gone || has(e, n));
}

/*
 * The ageing pass by pressure: a table under half full loses nothing;
 * from half full, hosts answered once and past probation; from 7/8,
 * established hosts idle for a day too. Nothing else, ever.
 */
static void test_ageing_pass(void **state)
{
	const __u32 hz = 250;
	const __u64 now = 1000000000ull;
	struct h_env *e = *state;
	const struct xglb_hosttab *fd = &e->hosts;
	struct xglb_hostage_pass p;
	__u32 gen = 7;

	put(e, 1, false, now, (XGLB_HOSTAGE_PROBATION_S + 1) * hz);   /* once, past probation */
	put(e, 2, false, now, (XGLB_HOSTAGE_PROBATION_S - 1) * hz);   /* once, on probation */
	put(e, 3, true, now, (__s64)(XGLB_HOSTAGE_IDLE_S + 60) * hz); /* established, idle */
	put(e, 4, true, now, (__s64)(XGLB_HOSTAGE_IDLE_S - 60) * hz); /* established */
	put(e, 5, false, now, -5 * (__s64)hz); /* heard after the pass read the clock */
	put(e, 6, true, now, 0);
	put(e, 7, false, now, 0);

	/* 7 entries of 15: under half */
	assert_int_equal(xglb_hostage_run(fd, 15, now, hz, &gen, &p), 0);
	assert_int_equal(p.entries, 7);
	assert_int_equal(p.established, 3);
	assert_int_equal(p.aged_once + p.aged_idle, 0);
	assert_int_equal(gen, 7);
	/* of 14: half */
	assert_int_equal(xglb_hostage_run(fd, 14, now, hz, &gen, &p), 0);
	assert_int_equal(p.aged_once, 1);
	assert_int_equal(p.aged_idle, 0);
	assert_int_equal(gen, 8);
	only_gone(e, 1);
	/* 6 entries of 7: under 7/8 (48 < 49), nothing past probation left; of 6: full */
	assert_int_equal(xglb_hostage_run(fd, 7, now, hz, &gen, &p), 0);
	assert_int_equal(p.aged_once + p.aged_idle, 0);
	assert_int_equal(xglb_hostage_run(fd, 6, now, hz, &gen, &p), 0);
	assert_int_equal(p.aged_once, 0);
	assert_int_equal(p.aged_idle, 1);
	assert_int_equal(gen, 9);
	only_gone(e, 3);
	/* without HZ nothing can be judged: nothing goes */
	put(e, 1, false, now, (XGLB_HOSTAGE_PROBATION_S + 1) * hz);
	assert_int_equal(xglb_hostage_run(fd, 6, now, 0, &gen, &p), 0);
	assert_int_equal(p.aged_once + p.aged_idle, 0);
	assert_true(has(e, 1));
}

/* The verdict on its own, row by row (what the pass applies). */
static void test_ageing_verdict(void **state)
{
	const __u32 hz = 100;
	const __u64 now = 5000000;
	static const struct {
		bool est;
		__s64 ago_s;
		__u64 entries, cap;
		enum xglb_hostage_why want;
	} rows[] = {
	    {false, XGLB_HOSTAGE_PROBATION_S, 50, 100, XGLB_HOSTAGE_ONCE},
	    {false, XGLB_HOSTAGE_PROBATION_S, 49, 100, XGLB_HOSTAGE_KEEP},
	    {false, XGLB_HOSTAGE_PROBATION_S - 1, 100, 100, XGLB_HOSTAGE_KEEP},
	    {true, XGLB_HOSTAGE_IDLE_S, 88, 100, XGLB_HOSTAGE_IDLE},
	    {true, XGLB_HOSTAGE_IDLE_S, 87, 100, XGLB_HOSTAGE_KEEP},
	    {true, XGLB_HOSTAGE_IDLE_S - 1, 100, 100, XGLB_HOSTAGE_KEEP},
	    {true, XGLB_HOSTAGE_PROBATION_S * 10, 100, 100, XGLB_HOSTAGE_KEEP},
	    {false, -1, 100, 100, XGLB_HOSTAGE_KEEP},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct xglb_host h = {.flags = rows[i].est ? XGLB_HOST_ESTABLISHED : 0,
				      .last_jiffies = now - rows[i].ago_s * hz};

		print_message("row %zu\n", i);
		assert_int_equal(xglb_hostage_verdict(&h, now, hz, rows[i].entries, rows[i].cap),
				 rows[i].want);
	}
}

H_MAIN("hosts", H_TEST(test_front_cache), H_TEST(test_front_cache_checks_forwarder),
       H_TEST(test_known_answer), H_TEST(test_known_ns_answer), H_TEST(test_new_host_budget),
       H_TEST(test_full_bucket), H_TEST(test_claimed_way), H_TEST(test_agent_insert),
       H_TEST(test_full_table), H_TEST(test_flood_keeps_hosts), H_TEST(test_ageing_pass),
       H_TEST(test_ageing_verdict))
