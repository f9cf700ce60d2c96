// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_learn.c - the learning frame's bytes, and static config -> group state. */
#include "testlib.h"
#include <string.h>
#include <arpa/inet.h>
#include "cfgstate.h"
#include "learn.h"
#include "tables.h"

static void learn_frame_bytes(void **state)
{
	static const __u8 want[XGLB_LEARN_FRAME_LEN] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,		    /* broadcast */
	    0x02, 0x78, 0x67, 0x62, 0x07, 0x03,		    /* from the vMAC */
	    0x08, 0x06,					    /* ARP */
	    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, /* Ethernet/IPv4, request */
	    0x02, 0x78, 0x67, 0x62, 0x07, 0x03,		    /* sha = vMAC */
	    0x00, 0x00, 0x00, 0x00, /* spa = 0.0.0.0: a probe, hosts keep their caches */
	    0x3a, 0x8c, 0x36, 0xd3, 0x29, 0x11, /* tha: the sending node's own MAC */
	    10,	  0,	0,    1,		/* tpa = VIP */
						/* 18 bytes of padding, zero */
	};
	static const __u8 node[6] = {0x3a, 0x8c, 0x36, 0xd3, 0x29, 0x11};
	__u8 buf[XGLB_LEARN_FRAME_LEN], vmac[6];
	__be32 vip;

	memset(buf, 0xaa, sizeof(buf));
	inet_pton(AF_INET, "10.0.0.1", &vip);
	xglb_vmac(7, 3, vmac);
	assert_int_equal(xglb_learn_frame(buf, vmac, vip, node), XGLB_LEARN_FRAME_LEN);
	assert_memory_equal(buf, want, sizeof(want));
}

static void unsolicited_reply_bytes(void **state)
{
	static const __u8 want[42] = {
	    0x02, 0x00, 0x0a, 0x00, 0x00, 0x65, /* to the host only */
	    0x3a, 0x8c, 0x36, 0xd3, 0x29, 0x11, /* from the AVG's interface */
	    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, /* reply */
	    0x02, 0x78, 0x67, 0x62, 0x01, 0x02, /* sha: the new forwarder's vMAC */
	    10,	  0,	0,    1,		/* spa: the VIP */
	    0x02, 0x00, 0x0a, 0x00, 0x00, 0x65, /* tha: the host */
	    10,	  0,	0,    101,		/* tpa: the host's address */
	};
	static const __u8 host[6] = {0x02, 0x00, 0x0a, 0x00, 0x00, 0x65};
	static const __u8 src[6] = {0x3a, 0x8c, 0x36, 0xd3, 0x29, 0x11};
	__u8 buf[XGLB_LEARN_FRAME_LEN], vmac[6], zero[18] = {0};
	__be32 vip, hip;

	memset(buf, 0xaa, sizeof(buf));
	inet_pton(AF_INET, "10.0.0.1", &vip);
	inet_pton(AF_INET, "10.0.0.101", &hip);
	xglb_vmac(1, 2, vmac);
	assert_int_equal(xglb_arp_reply_frame(buf, src, vmac, vip, host, hip),
			 XGLB_LEARN_FRAME_LEN);
	assert_memory_equal(buf, want, sizeof(want));
	assert_memory_equal(buf + 42, zero, sizeof(zero));
}

static void garp_reply_bytes(void **state)
{
	static const __u8 want[42] = {
	    0x02, 0x00, 0x0a, 0x00, 0x00, 0x65, /* to the host only */
	    0x3a, 0x8c, 0x36, 0xd3, 0x29, 0x11, /* from the AVG's interface */
	    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, /* reply */
	    0x02, 0x78, 0x67, 0x62, 0x01, 0x02, /* sha: the host's forwarder's vMAC */
	    10,	  0,	0,    1,		/* spa: the VIP */
	    0x02, 0x78, 0x67, 0x62, 0x01, 0x02, /* tha = sha: gratuitous */
	    10,	  0,	0,    1,		/* tpa = spa: gratuitous */
	};
	static const __u8 host[6] = {0x02, 0x00, 0x0a, 0x00, 0x00, 0x65};
	static const __u8 src[6] = {0x3a, 0x8c, 0x36, 0xd3, 0x29, 0x11};
	__u8 buf[XGLB_LEARN_FRAME_LEN], vmac[6], zero[18] = {0};
	__be32 vip;

	memset(buf, 0xaa, sizeof(buf));
	inet_pton(AF_INET, "10.0.0.1", &vip);
	xglb_vmac(1, 2, vmac);
	assert_int_equal(xglb_garp_reply_frame(buf, src, vmac, vip, host), XGLB_LEARN_FRAME_LEN);
	assert_memory_equal(buf, want, sizeof(want));
	assert_memory_equal(buf + 42, zero, sizeof(zero));
}

static void cfg_state_maps_nodes_to_ids(void **state)
{
	static struct xglb_config cfg;
	__u32 ifidx[XGLB_GROUP_IFACES] = {5, 9, 0, 0};
	struct xglb_group_state st;
	struct xglb_cfg_group *g = &cfg.groups[0];

	memset(&cfg, 0, sizeof(cfg));
	cfg.n_nodes = 2;
	cfg.nodes[0].id = 11;
	cfg.nodes[1].id = 22;
	cfg.n_groups = 1;
	g->id = 4;
	g->vip = htonl(0x0a000001);
	g->policy = XGLB_POLICY_WEIGHTED;
	g->avg = 1;
	g->n_fwd = 2;
	g->fwd[0] = (struct xglb_cfg_fwd){.index = 0, .owner = 1, .preferred = 1, .weight = 30};
	g->fwd[1] = (struct xglb_cfg_fwd){.index = 1, .owner = 0, .preferred = 0, .weight = 10};

	xglb_cfg_group_state(&cfg, 0, ifidx, 77, &st);
	assert_int_equal(st.gid, 4);
	assert_int_equal(st.vip, htonl(0x0a000001));
	assert_int_equal(st.policy, XGLB_POLICY_WEIGHTED);
	assert_int_equal(st.avg, 22);
	assert_int_equal(st.version, 77);
	assert_int_equal(st.n_fwd, 2);
	assert_int_equal(st.fwd[0].owner, 22);
	assert_int_equal(st.fwd[1].owner, 11);
	assert_int_equal(st.fwd[0].weight, 30);
	assert_true(st.fwd[0].active && st.fwd[0].new_ok);
	assert_int_equal(st.ifindex[0], 5);
	assert_int_equal(st.ifindex[1], 9);
	assert_int_equal(st.ifindex[2], 0);
}

T_MAIN(cmocka_unit_test(learn_frame_bytes), cmocka_unit_test(unsolicited_reply_bytes),
       cmocka_unit_test(garp_reply_bytes), cmocka_unit_test(cfg_state_maps_nodes_to_ids))
