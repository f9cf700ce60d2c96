// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* netif.c - interface lookups, VIP address management over rtnetlink (libmnl), and sysctls. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_addr.h>
#include <linux/sockios.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "netif.h"

int xglb_netif_get(const char *ifname, __u32 *ifindex, __u8 mac[6])
{
	struct ifreq ifr = {0};
	int fd, err = 0;

	if (strlen(ifname) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	*ifindex = if_nametoindex(ifname);
	if (!*ifindex)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

int xglb_netif_driver(__u32 ifindex, char *drv, size_t len)
{
	struct ethtool_drvinfo info = {.cmd = ETHTOOL_GDRVINFO};
	struct ifreq ifr = {0};
	int fd, err = 0;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ifr.ifr_data = (char *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = -errno;
	else
		snprintf(drv, len, "%.*s", (int)sizeof(info.driver), info.driver);
	close(fd);
	return err;
}

int xglb_netif_mtu(__u32 ifindex)
{
	struct ifreq ifr = {0};
	int fd, ret;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(fd);
	return ret;
}

/*
 * One request on a fresh socket (strict: the kernel filters a dump by the
 * request's header); its ACK or its dump (each message to cb). 0 or -errno.
 */
int xglb_rtnl_talk(struct nlmsghdr *nlh, bool strict, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid;
	int ret, one = 1;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (strict)
		setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
			   sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > 0); /* MNL_CB_OK: a dump continues */
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

/* An address request in buf: a host address (/32, /128) of FAMILY, ALEN bytes, on ifindex. */
static struct nlmsghdr *addr_request(char *buf, int type, int flags, __u8 family, __u32 ifindex,
				     const void *addr, size_t alen, struct ifaddrmsg **ifa)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	*ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifa));
	(*ifa)->ifa_family = family;
	(*ifa)->ifa_prefixlen = (__u8)(alen * 8);
	(*ifa)->ifa_scope = RT_SCOPE_UNIVERSE;
	(*ifa)->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	return nlh;
}

static int addr_msg(int type, int flags, __u32 ifindex, __be32 ip)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], label[IFNAMSIZ];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = addr_request(buf, type, flags, AF_INET, ifindex, &ip, 4, &ifa);
	if (type == RTM_NEWADDR && xglb_netif_label(ifindex, label) == 0)
		mnl_attr_put_strz(nlh, IFA_LABEL, label);
	return xglb_rtnl_talk(nlh, false, NULL, NULL);
}

struct addr_query {
	__u32 ifindex;
	__be32 ip;
	int found; /* -1 absent, 0 present, 1 present with our label */
	char label[IFNAMSIZ];
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_query *q = data;
	const struct nlattr *attr;
	bool match = false, ours = false;

	if (ifa->ifa_family != AF_INET || ifa->ifa_index != q->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
	{
		if (mnl_attr_get_type(attr) == IFA_LOCAL && mnl_attr_get_u32(attr) == q->ip)
			match = true;
		if (mnl_attr_get_type(attr) == IFA_LABEL &&
		    !strcmp(mnl_attr_get_str(attr), q->label))
			ours = true;
	}
	if (match)
		q->found = ours ? 1 : 0;
	return MNL_CB_OK;
}

/* Every address of FAMILY on the system, each message to cb. 0 or -errno. */
static int addr_dump(__u8 family, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	return xglb_rtnl_talk(nlh, false, cb, data);
}

/* Is ip on ifindex, and did xglbd put it there (our label)? */
static int addr_owner(__u32 ifindex, __be32 ip)
{
	struct addr_query q = {.ifindex = ifindex, .ip = ip, .found = -1};
	int err;

	if (xglb_netif_label(ifindex, q.label))
		return -ENODEV;
	err = addr_dump(AF_INET, addr_cb, &q);
	return err ? err : q.found;
}

int xglb_netif_label(__u32 ifindex, char label[IFNAMSIZ])
{
	char name[IF_NAMESIZE];

	/* IPv4 labels must start with the device name: "lo:xglb". */
	if (!if_indextoname(ifindex, name) || strlen(name) + 6 > IFNAMSIZ - 1)
		return -ENODEV;
	/* the length check above holds; the test tells gcc so at -O0 too */
	return snprintf(label, IFNAMSIZ, "%s:xglb", name) < IFNAMSIZ ? 0 : -ENODEV;
}

int xglb_netif_addr_add(__u32 ifindex, __be32 ip)
{
	int err = addr_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, ip);

	if (err == -EEXIST)
		return addr_owner(ifindex, ip) == 1 ? 1 : 0;
	return err ? err : 1;
}

int xglb_netif_addr_del(__u32 ifindex, __be32 ip)
{
	int err = addr_msg(RTM_DELADDR, 0, ifindex, ip);

	return err == -EADDRNOTAVAIL ? 0 : err;
}

static int addr6_msg(int type, int flags, __u32 ifindex, const __u8 addr[16])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifa_cacheinfo ci = {.ifa_prefered = 0, .ifa_valid = 0xffffffffu};
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = addr_request(buf, type, flags, AF_INET6, ifindex, addr, 16, &ifa);
	if (type == RTM_NEWADDR) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
		mnl_attr_put_u8(nlh, IFA_PROTO, XGLB_ADDR6_PROTO);
	}
	return xglb_rtnl_talk(nlh, false, NULL, NULL);
}

struct addr6_dump {
	struct xglb_addr6 *out;
	int max, n;
	const __u8 *only; /* with only_if: report whether this address is there, ours or not */
	__u32 only_if;
	int found; /* -1 absent, 0 present, 1 present and ours */
};

static int addr6_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr6_dump *q = data;
	const struct nlattr *attr;
	const __u8 *addr = NULL;
	bool ours = false;

	if (ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
	{
		if ((mnl_attr_get_type(attr) == IFA_ADDRESS ||
		     mnl_attr_get_type(attr) == IFA_LOCAL) &&
		    mnl_attr_get_payload_len(attr) == 16)
			addr = mnl_attr_get_payload(attr);
		if (mnl_attr_get_type(attr) == IFA_PROTO && mnl_attr_get_payload_len(attr) >= 1 &&
		    mnl_attr_get_u8(attr) == XGLB_ADDR6_PROTO)
			ours = true;
	}
	if (!addr)
		return MNL_CB_OK;
	if (q->only) {
		if (ifa->ifa_index == q->only_if && !memcmp(addr, q->only, 16))
			q->found = ours ? 1 : 0;
	} else if (ours && q->n < q->max) {
		q->out[q->n].ifindex = ifa->ifa_index;
		memcpy(q->out[q->n].addr, addr, 16);
		q->n++;
	}
	return MNL_CB_OK;
}

int xglb_netif_addr6_add(__u32 ifindex, const __u8 addr[16])
{
	int err = addr6_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr);
	struct addr6_dump q = {.only = addr, .only_if = ifindex, .found = -1};

	if (err != -EEXIST)
		return err ? err : 1;
	err = addr_dump(AF_INET6, addr6_cb, &q);
	return err ? err : q.found == 1;
}

int xglb_netif_addr6_del(__u32 ifindex, const __u8 addr[16])
{
	int err = addr6_msg(RTM_DELADDR, 0, ifindex, addr);

	return err == -EADDRNOTAVAIL || err == -ENODEV ? 0 : err;
}

int xglb_netif_addr6_ours(struct xglb_addr6 *out, int max)
{
	struct addr6_dump q = {.out = out, .max = max};
	int err = addr_dump(AF_INET6, addr6_cb, &q);

	return err ? err : q.n;
}

struct ll6_dump {
	__u32 ifindex;
	__u8 *out;
	int found; /* 0 none, 1 a tentative one, 2 a usable one */
};

static int ll6_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct ll6_dump *q = data;
	const struct nlattr *attr;
	const __u8 *addr = NULL;
	__u32 flags = ifa->ifa_flags;
	bool ours = false;
	int rank;

	if (ifa->ifa_family != AF_INET6 || ifa->ifa_index != q->ifindex || q->found == 2)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
	{
		int type = mnl_attr_get_type(attr);

		if ((type == IFA_ADDRESS || type == IFA_LOCAL) &&
		    mnl_attr_get_payload_len(attr) == 16)
			addr = mnl_attr_get_payload(attr);
		else if (type == IFA_FLAGS && mnl_attr_get_payload_len(attr) == 4)
			flags = mnl_attr_get_u32(attr);
		else if (type == IFA_PROTO && mnl_attr_get_payload_len(attr) >= 1 &&
			 mnl_attr_get_u8(attr) == XGLB_ADDR6_PROTO)
			ours = true;
	}
	/* fe80::/10, not a virtual one (ours, deprecated), not a failed duplicate */
	if (!addr || ours || addr[0] != 0xfe || (addr[1] & 0xc0) != 0x80 ||
	    (flags & (IFA_F_DEPRECATED | IFA_F_DADFAILED)))
		return MNL_CB_OK;
	rank = flags & IFA_F_TENTATIVE ? 1 : 2;
	if (rank > q->found) {
		memcpy(q->out, addr, 16);
		q->found = rank;
	}
	return MNL_CB_OK;
}

int xglb_netif_ll6(__u32 ifindex, __u8 out[16])
{
	struct ll6_dump q = {.ifindex = ifindex, .out = out};
	int err;

	memset(out, 0, 16);
	err = addr_dump(AF_INET6, ll6_cb, &q);
	return err ? err : q.found > 0;
}

int xglb_netif_sysctl(const char *ifname, const char *key, const char *value)
{
	char path[128];
	int fd, err = 0;
	size_t n = strlen(value);

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, n) != (ssize_t)n)
		err = -errno;
	close(fd);
	return err;
}

int xglb_netif_sysctl_get(const char *ifname, const char *key, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", ifname, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	return 0;
}

/* One legacy ethtool flags request (ETHTOOL_GFLAGS / ETHTOOL_SFLAGS) on IFNAME. */
static int ethtool_flags(const char *ifname, __u32 cmd, __u32 *flags)
{
	struct ethtool_value ev = {.cmd = cmd, .data = *flags};
	struct ifreq ifr = {0};
	int fd, err = 0;

	if (strlen(ifname) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	*flags = ev.data;
	return err;
}

int xglb_netif_rxvlan_get(const char *ifname)
{
	__u32 f = 0;
	int err = ethtool_flags(ifname, ETHTOOL_GFLAGS, &f);

	return err ? err : !!(f & ETH_FLAG_RXVLAN);
}

int xglb_netif_rxvlan_set(const char *ifname, bool on)
{
	__u32 f = 0;
	int err = ethtool_flags(ifname, ETHTOOL_GFLAGS, &f);

	if (err)
		return err;
	if (!!(f & ETH_FLAG_RXVLAN) == on)
		return 0;
	f = on ? f | ETH_FLAG_RXVLAN : f & ~(__u32)ETH_FLAG_RXVLAN;
	err = ethtool_flags(ifname, ETHTOOL_SFLAGS, &f);
	if (err)
		return err;
	/* accepted as wanted, but a driver may keep it as it was (fixed, or a dependency) */
	err = xglb_netif_rxvlan_get(ifname);
	if (err < 0)
		return err;
	return err == (int)on ? 0 : -EOPNOTSUPP;
}
