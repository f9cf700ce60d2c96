// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fastpath.c - the XDP fast path's way out: xglb_fp_ifaces holds every
 * interface of this namespace that takes XDP_REDIRECT frames, kept up to
 * date as links and their peers change; the groups' fast-path flag itself
 * is written with the tables (dataplane.c).
 *
 * Which devices take redirected frames is the kernel's to say: the netdev
 * generic netlink family reports each device's XDP features, and a device
 * takes them when NETDEV_XDP_ACT_NDO_XMIT is among them. A veth has it
 * only while its peer runs an XDP program or has GRO on (the peer needs
 * NAPI to receive them), which can change in another namespace without a
 * link event here, so the set is read again every FASTPATH_RESCAN_MS as
 * well as on every link event. A route out of an interface not in the
 * map leaves the frame to the kernel (xdp_fp_pass_no_egress).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xglb.skel.h"
#include "daemon.h"
#include "log.h"

/* include/uapi/linux/netdev.h, newer than this system's headers */
#define FP_NETDEV_CMD_DEV_GET	     1
#define FP_NETDEV_A_DEV_IFINDEX	     1
#define FP_NETDEV_A_DEV_XDP_FEATURES 3
#define FP_NETDEV_XDP_ACT_NDO_XMIT   0x4

#define FASTPATH_RESCAN_MS 2000

bool fastpath_wanted(const struct xglb_config *cfg)
{
	for (int g = 0; g < cfg->n_groups; g++)
		if (cfg->groups[g].fast_path)
			return true;
	return false;
}

struct fp_scan {
	__u16 family;			   /* CTRL_CMD_GETFAMILY's answer */
	__u32 ifindex[XGLB_FP_MAX_IFACES]; /* DEV_GET dump: redirect targets */
	int n;
	bool more; /* more targets than XGLB_FP_MAX_IFACES */
};

static int family_attr(const struct nlattr *a, void *data)
{
	struct fp_scan *s = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID && !mnl_attr_validate(a, MNL_TYPE_U16))
		s->family = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, data);
}

struct fp_dev {
	__u32 ifindex;
	__u64 features;
};

static int dev_attr(const struct nlattr *a, void *data)
{
	struct fp_dev *d = data;

	if (mnl_attr_get_type(a) == FP_NETDEV_A_DEV_IFINDEX && !mnl_attr_validate(a, MNL_TYPE_U32))
		d->ifindex = mnl_attr_get_u32(a);
	else if (mnl_attr_get_type(a) == FP_NETDEV_A_DEV_XDP_FEATURES &&
		 !mnl_attr_validate(a, MNL_TYPE_U64))
		d->features = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fp_scan *s = data;
	struct fp_dev d = {0};

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr, &d) < 0)
		return MNL_CB_ERROR;
	if (!d.ifindex || !(d.features & FP_NETDEV_XDP_ACT_NDO_XMIT))
		return MNL_CB_OK;
	if (s->n < XGLB_FP_MAX_IFACES)
		s->ifindex[s->n++] = d.ifindex;
	else
		s->more = true;
	return MNL_CB_OK;
}

/* One generic netlink request and its answer (a dump if flags say so): 0 or -errno. */
static int genl_call(struct mnl_socket *nl, __u16 type, __u8 cmd, __u16 flags,
		     const char *family_name, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *gh;
	unsigned int seq = (unsigned int)time(NULL), portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));
	gh->cmd = cmd;
	gh->version = 1;
	if (family_name)
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family_name);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (ret < 0)
			return errno ? -errno : -EIO;
		/* a dump ends with NLMSG_DONE; any other answer is one message */
		if (ret == MNL_CB_STOP || !(flags & NLM_F_DUMP))
			return 0;
	}
}

/* The devices of this namespace that take XDP_REDIRECT frames: 0 or -errno. */
static int fp_scan(struct fp_scan *s)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int err;

	memset(s, 0, sizeof(*s));
	if (!nl)
		return -errno;
	/* the event loop never waits long on the kernel's answer */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		       &(struct timeval){.tv_sec = 0, .tv_usec = 200000}, sizeof(struct timeval)) ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	err = genl_call(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, "netdev", family_cb, s);
	if (!err && !s->family)
		err = -ENOENT;
	if (!err)
		err = genl_call(nl, s->family, FP_NETDEV_CMD_DEV_GET, NLM_F_DUMP, NULL, dev_cb, s);
out:
	mnl_socket_close(nl);
	return err;
}

static bool has(const __u32 *set, int n, __u32 v)
{
	for (int i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

static const char *ifname(__u32 ifindex, char *buf)
{
	return if_indextoname(ifindex, buf) ? buf : "(gone)";
}

/*
 * A group interface whose data path runs at tc ("datapath: auto" picks tc
 * on veth) has no fast path: its frames keep the kernel's path. Said once
 * per interface.
 */
static void fastpath_check_hooks(struct daemon *d)
{
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];

		for (int i = 0; cg->fast_path && i < cg->n_ifaces; i++) {
			int k = iface_find(&d->ifs, cg->ifaces[i]);
			bool tc = k >= 0 && k < d->ld.n_if && d->ld.use[k] == XGLB_USE_TC;

			if (tc && !d->fp.tc_warned[k])
				pr_warn(
				    "group %u: fast-path is on, but %s runs the data path at tc "
				    "(%s): its frames keep the kernel's path (datapath: xdp)",
				    cg->id, cg->ifaces[i], d->ld.why[k] ? d->ld.why[k] : "tc");
			if (k >= 0)
				d->fp.tc_warned[k] = tc;
		}
	}
}

/*
 * Make xglb_fp_ifaces hold exactly the redirect targets (every interface
 * while a group has the fast path on, none otherwise); logs each change.
 * Map entries a previous xglbd left are adopted, then corrected.
 */
void fastpath_sync(struct daemon *d)
{
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_fp_ifaces), err = 0;
	struct fastpath *fp = &d->fp;
	__u32 have[XGLB_FP_MAX_IFACES], key, next;
	static struct fp_scan s;
	char name[IF_NAMESIZE];
	int n_have = 0;

	fp->last_ns = now_ns();
	fp->syncs++;
	memset(&s, 0, sizeof(s));
	if (fastpath_wanted(d->cfg)) {
		fastpath_check_hooks(d);
		err = fp_scan(&s);
		if (err) {
			fp->errors++;
			if (!fp->scan_failed)
				pr_warn(
				    "fast path: cannot read the interfaces' XDP features (netdev "
				    "generic netlink): %s; frames keep the kernel's path",
				    strerror(-err));
			fp->scan_failed = true;
			return; /* the map stays as it is until a scan succeeds */
		}
		if (fp->scan_failed)
			pr_info("fast path: reading the interfaces' XDP features again");
		fp->scan_failed = false;
		if (s.more && !fp->warned_more)
			pr_warn("fast path: more than %d interfaces take XDP redirects; routes out "
				"of the others take the kernel's path",
				XGLB_FP_MAX_IFACES);
		fp->warned_more = s.more;
	}
	for (err = bpf_map_get_next_key(fd, NULL, &key); !err && n_have < XGLB_FP_MAX_IFACES;
	     err = bpf_map_get_next_key(fd, &key, &next), key = next)
		have[n_have++] = key;
	for (int i = 0; i < n_have; i++) {
		if (has(s.ifindex, s.n, have[i]))
			continue;
		if (bpf_map_delete_elem(fd, &have[i]) && errno != ENOENT) {
			fp->errors++;
			pr_warn("fast path: removing ifindex %u from %s: %s", have[i],
				XGLB_MAP_FP_IFACES, strerror(errno));
			continue;
		}
		pr_info("fast path: %s (ifindex %u) no longer a way out", ifname(have[i], name),
			have[i]);
	}
	for (int i = 0; i < s.n; i++) {
		if (has(have, n_have, s.ifindex[i]))
			continue;
		if (bpf_map_update_elem(fd, &s.ifindex[i], &s.ifindex[i], BPF_ANY)) {
			fp->errors++;
			pr_warn("fast path: adding %s (ifindex %u) to %s: %s",
				ifname(s.ifindex[i], name), s.ifindex[i], XGLB_MAP_FP_IFACES,
				strerror(errno));
			continue;
		}
		pr_info("fast path: %s (ifindex %u) takes XDP redirects: a way out",
			ifname(s.ifindex[i], name), s.ifindex[i]);
	}
	/* what the map holds now */
	fp->n_egress = 0;
	for (err = bpf_map_get_next_key(fd, NULL, &key); !err && fp->n_egress < XGLB_FP_MAX_IFACES;
	     err = bpf_map_get_next_key(fd, &key, &next), key = next)
		fp->egress[fp->n_egress++] = key;
}

/* From the heartbeat: the set again every FASTPATH_RESCAN_MS while a group wants it. */
void fastpath_tick(struct daemon *d)
{
	if (fastpath_wanted(d->cfg) && now_ns() - d->fp.last_ns >= FASTPATH_RESCAN_MS * 1000000ull)
		fastpath_sync(d);
}

struct json_object *fastpath_json(const struct daemon *d)
{
	struct json_object *o = json_object_new_object(), *ifs = json_object_new_array(),
			   *groups = json_object_new_array();
	char name[IF_NAMESIZE];

	for (int g = 0; g < d->cfg->n_groups; g++)
		if (d->cfg->groups[g].fast_path)
			json_object_array_add(groups, json_object_new_int(d->cfg->groups[g].id));
	for (int i = 0; i < d->fp.n_egress; i++)
		json_object_array_add(ifs, json_object_new_string(ifname(d->fp.egress[i], name)));
	json_object_object_add(o, "groups", groups);
	json_object_object_add(o, "egress", ifs);
	json_object_object_add(o, "syncs", json_object_new_int64((int64_t)d->fp.syncs));
	json_object_object_add(o, "errors", json_object_new_int64((int64_t)d->fp.errors));
	return o;
}
