// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_metrics.c - the Prometheus exposition rendered from a fixed status and counter snapshot. */
#include "testlib.h"
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

static const char *status_json =
	"{\"node\":{\"name\":\"r1\",\"id\":1},\"mode\":\"membership\",\"hosts_redistributed\":4,\"hosts_redistributed_again\":3,"
	"\"groups\":[{\"id\":1,\"role\":\"standby\",\"version\":7,"
	"\"peers\":[{\"name\":\"r1\",\"up\":true,\"age_ms\":0},{\"name\":\"r\\\"2\",\"up\":false,"
	"\"age_ms\":2500}],"
	"\"forwarders\":[{\"index\":0,\"owner\":1,\"weight\":100,\"effective_weight\":40},"
	"{\"index\":1,\"owner\":3,\"weight\":100}],"
	"\"events\":{\"avg_changes\":2,\"owner_changes\":5,\"failovers\":1,\"removals\":0,"
	"\"rebalances\":3}}],"
	"\"membership\":{\"ok\":100,\"auth\":2,\"replay\":1,\"tx_ok\":50,\"tx_errors\":1},"
	"\"tracking\":{\"priority\":90,\"weight\":0,\"objects\":[{\"name\":\"uplink\",\"type\":"
	"\"link\",\"up\":false}]}}";

static char *render(void)
{
	struct json_object *st = json_tokener_parse(status_json);
	static struct xglb_dp_snapshot dp;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	memset(&dp, 0, sizeof(dp));
	dp.reasons[XGLB_R_XDP_PASS_VMAC] = 1234;
	dp.reasons[XGLB_R_XDP_TX_ARP_REPLY] = 10;
	dp.reasons[XGLB_R_XDP_TX_ARP_UNICAST] = 5;
	dp.reasons[XGLB_R_XDP_DROP_ARP_PEER] = 7;
	dp.reasons[XGLB_R_TC_STEER_STEERED] = 3;
	dp.reasons[XGLB_R_TC_STEER_OWNED] = 4;
	dp.n_fwd = 1;
	dp.fwd[0].gid = 1;
	dp.fwd[0].index = 0;
	dp.fwd[0].packets = 1234;
	dp.fwd[0].bytes = 98765;
	dp.hosts[1] = 12;
	dp.n_maps = 1;
	dp.maps[0].name = "xglb_hosts";
	dp.maps[0].entries = 12;
	dp.maps[0].capacity = 65536;
	dp.flips = 9;
	dp.heartbeat_age_s = 0.25;
	xglb_metrics_render(f, st, &dp, "0.1.0");
	fclose(f);
	json_object_put(st);
	return buf;
}

static void has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("missing line: %s", line);
}

static void renders_values(void **state)
{
	char *t = render();

	has(t, "xglb_build_info{version=\"0.1.0\",node=\"r1\",mode=\"membership\"} 1");
	has(t, "xglb_packets_total{verdict=\"pass\",reason=\"xdp_pass_vmac\"} 1234");
	has(t, "xglb_packets_total{verdict=\"drop\",reason=\"xdp_drop_arp_peer\"} 7");
	has(t, "xglb_packets_total{verdict=\"tx\",reason=\"xdp_tx_arp_reply\"} 10");
	has(t, "xglb_packets_total{verdict=\"redirect\",reason=\"tc_steer_steered\"} 3");
	has(t, "xglb_packets_total{verdict=\"pass\",reason=\"tc_steer_owned\"} 4");
	has(t, "xglb_packets_total{verdict=\"pass\",reason=\"tc_steer_off\"} 0");
	has(t, "xglb_packets_total{verdict=\"drop\",reason=\"tc_egress_drop_vip_arp\"} 0");
	has(t, "xglb_arp_replies_total 15");
	has(t, "xglb_forwarder_packets_total{group=\"1\",forwarder=\"0\"} 1234");
	has(t, "xglb_forwarder_bytes_total{group=\"1\",forwarder=\"0\"} 98765");
	has(t, "xglb_map_entries{map=\"xglb_hosts\"} 12");
	has(t, "xglb_map_capacity{map=\"xglb_hosts\"} 65536");
	has(t, "xglb_hosts_assigned{group=\"1\"} 12");
	has(t, "xglb_group_role{group=\"1\",role=\"standby\"} 1");
	has(t, "xglb_group_role{group=\"1\",role=\"avg\"} 0");
	has(t, "xglb_peer_up{group=\"1\",node=\"r\\\"2\"} 0"); /* label escaped */
	has(t, "xglb_peer_last_heard_seconds{group=\"1\",node=\"r\\\"2\"} 2.500");
	has(t, "xglb_forwarder_owner{group=\"1\",forwarder=\"1\"} 3");
	has(t, "xglb_forwarder_weight{group=\"1\",forwarder=\"0\"} 40");
	has(t, "xglb_failovers_total{group=\"1\"} 1");
	has(t, "xglb_owner_changes_total{group=\"1\"} 5");
	has(t, "xglb_membership_datagrams_total{result=\"auth\"} 2");
	has(t, "xglb_membership_sent_total{result=\"error\"} 1");
	has(t, "xglb_hosts_redistributed_total 4");
	has(t, "xglb_hosts_redistributed_again_total 3");
	has(t, "xglb_tracked_object_up{object=\"uplink\",type=\"link\"} 0");
	has(t, "xglb_node_weight 0");
	has(t, "xglb_table_flips_total 9");
	free(t);
}

/* Every sample has HELP and TYPE before it; counters end in _total; names are xglb_. */
static void follows_the_format(void **state)
{
	char *t = render(), *save = NULL, type_of[128][96] = { { 0 } }, seen[128][96];
	int n_types = 0;
	regex_t sample;

	assert_int_equal(regcomp(&sample,
				 "^(xglb_[a-z_]+)(\\{[a-z_]+=\"([^\"\\\\]|\\\\.)*\"(,[a-z_]+=\""
				 "([^\"\\\\]|\\\\.)*\")*\\})? -?[0-9.]+$",
				 REG_EXTENDED),
			 0);
	(void)seen;
	for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[96];
		regmatch_t m[2];

		if (!strncmp(l, "# TYPE ", 7)) {
			char type[16];

			assert_int_equal(sscanf(l + 7, "%95s %15s", name, type), 2);
			if (!strcmp(type, "counter") && !strstr(name, "_total"))
				fail_msg("counter without _total: %s", name);
			snprintf(type_of[n_types++ % 128], 96, "%s", name);
			continue;
		}
		if (l[0] == '#')
			continue;
		if (regexec(&sample, l, 2, m, 0))
			fail_msg("not a sample line: %s", l);
		snprintf(name, sizeof(name), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), l + m[1].rm_so);
		if (!n_types || strcmp(type_of[(n_types - 1) % 128], name))
			fail_msg("sample %s not under its own TYPE", name);
		/* no per-host labels: nothing that looks like a MAC */
		if (strstr(l, ":") && strchr(l, '{') && strstr(l, "mac"))
			fail_msg("per-host label: %s", l);
	}
	regfree(&sample);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_values),
		cmocka_unit_test(follows_the_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
