// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_rxfilter.c - drives the daemon's unicast filter module (user/xglbd/rxfilter.c)
 * on one interface through a sequence of wanted vMAC sets, so a test can watch it
 * against a device that refuses entries (a macvlan in bridge mode does).
 *
 *   xglb_rxfilter IFNAME STEP...     STEP: MAC[,MAC...], "-" (none), or mode=MODE
 *
 * For each step: the module adds what is wanted (make), removes the rest (break),
 * or switches to rx-filter MODE (auto, off, promiscuous) keeping the last wanted set,
 * and one line is printed:
 *   step N entries=MAC,... promiscuous=0|1 missing=N refused=ERR kernel_promisc=0|1
 * kernel_promisc is the device's IFF_PROMISC as the kernel reports it
 * (/sys/class/net/IFNAME/flags). At the end the module closes (a clean stop):
 *   closed kernel_promisc=0|1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if.h>
#include <json-c/json.h>
#include "log.h"
#include "rxfilter.h"

static int kernel_promisc(const char *ifname)
{
	char path[128];
	unsigned int flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", ifname);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%x", &flags) != 1)
		flags = ~0u;
	if (f)
		fclose(f);
	return flags == ~0u ? -1 : !!(flags & IFF_PROMISC);
}

int main(int argc, char **argv)
{
	static struct xglb_ucf_set want;
	char names[1][IF_NAMESIZE];
	struct xglb_rxfilter *f;
	__u32 ifindex;

	if (argc < 3 || strlen(argv[1]) >= IF_NAMESIZE) {
		fprintf(stderr,
			"usage: xglb_rxfilter IFNAME STEP...   (STEP: MAC[,MAC...] or -)\n");
		return 2;
	}
	xglb_log_init("xglb_rxfilter", XGLB_LOG_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		perror(argv[1]);
		return 1;
	}
	snprintf(names[0], IF_NAMESIZE, "%s", argv[1]);
	if (xglb_rxf_init(&f) ||
	    xglb_rxf_set_ifaces(f, &ifindex, (const char(*)[IF_NAMESIZE])names, 1))
		return 1;
	for (int s = 2; s < argc; s++) {
		char *list = strdup(argv[s]), *tok, *save = NULL;
		struct json_object *j, *x, *v;
		int mode = -1;

		for (int m = 0; m < XGLB_RXF_MAX; m++)
			if (!strncmp(argv[s], "mode=", 5) &&
			    !strcmp(argv[s] + 5, xglb_rx_filter_name((unsigned)m)))
				mode = m;
		if (mode >= 0) {
			xglb_rxf_set_mode(f, mode, &want);
			free(list);
			goto show;
		}
		if (!strncmp(argv[s], "mode=", 5)) {
			fprintf(stderr, "xglb_rxfilter: '%s': no such mode\n", argv[s]);
			return 2;
		}
		want.n = 0;
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			__u8 mac[6];

			if (!strcmp(tok, "-"))
				continue;
			if (sscanf(tok, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
				   &mac[3], &mac[4], &mac[5]) != 6) {
				fprintf(stderr, "xglb_rxfilter: '%s' is not a MAC\n", tok);
				return 2;
			}
			xglb_ucf_add(&want, ifindex, mac);
		}
		free(list);
		xglb_ucf_sort(&want);
		xglb_rxf_add(f, &want);
		xglb_rxf_remove(f, &want);
	show:
		j = xglb_rxf_json(f);
		x = json_object_array_get_idx(json_object_object_get(j, "interfaces"), 0);
		printf("step %d entries=", s - 1);
		v = json_object_object_get(x, "entries");
		for (size_t k = 0; k < json_object_array_length(v); k++)
			printf("%s%s", k ? "," : "",
			       json_object_get_string(json_object_array_get_idx(v, k)));
		printf(" promiscuous=%d missing=%d refused=%s kernel_promisc=%d fallbacks=%lld\n",
		       json_object_get_boolean(json_object_object_get(x, "promiscuous")),
		       json_object_get_int(json_object_object_get(x, "missing")),
		       json_object_object_get(x, "refused")
			   ? json_object_get_string(json_object_object_get(x, "refused"))
			   : "-",
		       kernel_promisc(argv[1]),
		       (long long)json_object_get_int64(
			   json_object_object_get(j, "promiscuous_fallbacks")));
		json_object_put(j);
	}
	xglb_rxf_close(f);
	printf("closed kernel_promisc=%d\n", kernel_promisc(argv[1]));
	return 0;
}
