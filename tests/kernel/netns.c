// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A private network namespace holding only lo: every address the tests use
 * lives on it, so nothing they send can leave the machine.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktest.h"

/*
 * lo up, with an Ethernet-sized MTU: datagrams larger than a real link's
 * MTU are then fragmented here too, after the egress program has judged them.
 */
static int netns_lo_up(void)
{
	struct ifreq ifr = {};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_mtu = NETNS_LO_MTU;
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		ret = -errno;
		goto out_close;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = -errno;
out_close:
	close(fd);
	return ret;
}

/* Enter a new network namespace and bring its lo up. */
int netns_enter(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	return netns_lo_up();
}

/* Ping sockets for every group, in this netns only (the default is none). */
int netns_allow_ping(void)
{
	static const char range[] = "0 2147483647";
	int fd, ret = 0;

	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, range, sizeof(range) - 1) != sizeof(range) - 1)
		ret = -errno;
	close(fd);
	return ret;
}

struct nl_addr_req {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char attrs[64];
};

/* Append one attribute to the request; attrs[] has room for the three used. */
static void nl_put_attr(struct nl_addr_req *req, unsigned short type, const void *data,
			unsigned short len)
{
	size_t off = NLMSG_ALIGN(req->nh.nlmsg_len) - offsetof(struct nl_addr_req, attrs);
	struct rtattr rta = { .rta_type = type, .rta_len = RTA_LENGTH(len) };

	memcpy(req->attrs + off, &rta, sizeof(rta));
	memcpy(req->attrs + off + RTA_LENGTH(0), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta.rta_len);
}

/* `ip -6 addr add ADDR/128 dev lo nodad`, through rtnetlink. */
int netns_addr6_add(const char *addr)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nl_addr_req req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
			.nlmsg_type = RTM_NEWADDR,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
			.nlmsg_seq = 1,
		},
		.ifa = {
			.ifa_family = AF_INET6,
			.ifa_prefixlen = 128,
			.ifa_flags = IFA_F_NODAD,
			.ifa_scope = RT_SCOPE_UNIVERSE,
		},
	};
	char buf[512];
	struct in6_addr in6;
	__u32 flags = IFA_F_NODAD;
	struct nlmsghdr *nh;
	ssize_t n;
	int fd, ret;

	if (inet_pton(AF_INET6, addr, &in6) != 1)
		return -EINVAL;
	req.ifa.ifa_index = if_nametoindex("lo");
	if (!req.ifa.ifa_index)
		return -ENODEV;
	nl_put_attr(&req, IFA_LOCAL, &in6, sizeof(in6));
	nl_put_attr(&req, IFA_ADDRESS, &in6, sizeof(in6));
	nl_put_attr(&req, IFA_FLAGS, &flags, sizeof(flags));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out_close;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		ret = -errno;
		goto out_close;
	}
	nh = (struct nlmsghdr *)buf;
	ret = -EPROTO;
	if (NLMSG_OK(nh, (size_t)n) && nh->nlmsg_type == NLMSG_ERROR)
		ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
out_close:
	close(fd);
	return ret;
}
