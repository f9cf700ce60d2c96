// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_metrics.c - the Prometheus exposition rendered from a fixed status and counter snapshot. */
#include "testlib.h"
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hostcount.h"
#include "metrics.h"

static const char *status_json =
    "{\"node\":{\"name\":\"r1\",\"id\":1},\"mode\":\"membership\",\"hosts_redistributed\":4,"
    "\"datapath\":{\"config\":\"auto\",\"hook\":\"tc\",\"interfaces\":["
    "{\"name\":\"eth0\",\"ifindex\":2,\"driver\":\"veth\",\"hook\":\"tc\",\"why\":\"auto: veth\","
    "\"xdp_mode\":\"none\",\"rx_vlan_offload\":\"on\"},"
    "{\"name\":\"eth1\",\"ifindex\":3,\"driver\":\"\",\"hook\":\"steering\",\"why\":\"no "
    "group\",\"xdp_mode\":\"none\",\"rx_vlan_offload\":\"unknown\"},"
    "{\"name\":\"vlan\\\"10\",\"ifindex\":4,\"driver\":\"802.1Q VLAN Support\",\"hook\":\"xdp\","
    "\"why\":\"configured\",\"xdp_mode\":\"generic\",\"rx_vlan_offload\":\"off\"}],"
    "\"rx_vlan_offload_refused\":2},"
    "\"hosts_redistributed_again\":3,"
    "\"redistribution\":{\"running\":false,\"again_dropped\":2,\"seen\":{\"hosts_told\":40,"
    "\"hosts_told_again\":38,\"send_errors\":1,\"no_forwarder\":3,\"skipped_stale\":4,"
    "\"skipped_iface\":5,\"skipped_no_address\":6,\"aged\":7,\"learning\":{\"new\":50,"
    "\"update\":9,\"refused_full\":11,\"refused_source\":12,\"not_ip\":13}}},"
    "\"ipv6\":{\"ra_sent\":12,\"ra_answers\":5,\"ra_errors\":1,\"ra_final\":3,\"ra_final_skipped\":"
    "2,\"rs\":{\"answered\":5,"
    "\"not_avg\":2,\"ratelimited\":3,\"invalid\":4,\"no_group\":6},\"na_moved\":8},"
    "\"groups\":[{\"id\":1,\"role\":\"standby\",\"version\":7,"
    "\"peers\":[{\"name\":\"r1\",\"up\":true,\"heard\":true,\"age_ms\":0},{\"name\":\"r\\\"2\","
    "\"up\":false,"
    "\"heard\":false,\"age_ms\":2500}],"
    "\"forwarders\":[{\"index\":0,\"owner\":1,\"weight\":100,\"effective_weight\":40},"
    "{\"index\":1,\"owner\":3,\"weight\":100}],"
    "\"events\":{\"avg_changes\":2,\"owner_changes\":5,\"failovers\":1,\"removals\":0,"
    "\"rebalances\":3,\"gaps\":6},\"withdrawn\":[\"forwarding-off\"],\"fast_path\":true}],"
    "\"fast_path\":{\"groups\":[1],\"egress\":[\"eth0\",\"eth1\"],\"syncs\":3,\"errors\":0},"
    "\"netwatch\":{\"events\":20,\"ignored\":6,\"malformed\":1,\"overruns\":2,"
    "\"reattached\":3,\"mac_changes\":1,\"vip_restored\":4,\"local_updates\":8,"
    "\"errors\":0},"
    "\"membership\":{\"ok\":100,\"auth\":2,\"replay\":1,\"tx_ok\":50,\"tx_errors\":1},"
    "\"tracking\":{\"priority\":90,\"weight\":0,\"objects\":[{\"name\":\"uplink\",\"type\":"
    "\"link\",\"up\":false}]},"
    "\"requests_refused\":{\"control\":{\"malformed\":2,\"timeout\":1},\"http\":{\"host\":5}},"
    "\"rx_filter\":{\"mode\":\"auto\",\"interfaces\":[{\"name\":\"eth0\",\"ifindex\":2,"
    "\"entries\":[\"02:78:67:62:01:00\",\"02:78:67:62:01:02\"],\"promiscuous\":false,\"missing\":0,"
    "\"refused\":null,\"promiscuous_fallbacks\":0},{\"name\":\"mv0\",\"ifindex\":5,"
    "\"entries\":[],\"promiscuous\":true,\"missing\":2,\"refused\":\"Operation not "
    "supported\",\"promiscuous_fallbacks\":3}],\"added\":11,\"removed\":9,\"adopted\":2,"
    "\"stale_removed\":1,\"refused\":6,\"promiscuous_fallbacks\":3,\"restored\":7,"
    "\"resyncs\":2,\"errors\":1},"
    "\"conflicts\":{\"groups\":[{\"id\":1,\"vip\":6,\"vmac\":2,\"vip6\":3,"
    "\"vip6_na_sent\":8,\"vip_replies_sent\":11,\"vip_passes\":3,\"vip_repeats\":2,"
    "\"vip6_passes\":4,\"vip6_repeats\":1}],\"hosts_defended\":11,\"na_defended\":8,"
    "\"events_suppressed\":40,\"events_lost\":1},"
    "\"event_loop\":{\"hello_timer\":{\"fires\":10,\"le_us\":[500,1000,2000,5000,10000],"
    "\"wake\":{\"buckets\":[6,1,1,1,0,1],\"sum_us\":25000,\"max_us\":12000},"
    "\"busy\":{\"buckets\":[10,0,0,0,0,0],\"sum_us\":100,\"max_us\":20},"
    "\"sent\":{\"buckets\":[5,2,1,1,1,0],\"sum_us\":16500,\"max_us\":9000}},"
    "\"grace\":{\"running\":true,\"runs\":4,\"errors\":1},"
    "\"stall\":{\"max_us\":12500,\"busy_us\":2000,\"at\":1764930000.25,\"ago_s\":3.5}}}";

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
	dp.reasons[XGLB_R_TC_TX_ARP_REPLY] = 20;
	dp.reasons[XGLB_R_TC_PASS_VMAC] = 99;
	dp.reasons[XGLB_R_TC_STEER_STEERED] = 3;
	dp.reasons[XGLB_R_TC_STEER_OWNED] = 4;
	dp.reasons[XGLB_R_XDP_FP_REDIRECT] = 77;
	dp.reasons[XGLB_R_XDP_FP_PASS_TTL] = 2;
	dp.n_fwd = 1;
	dp.fwd[0].gid = 1;
	dp.fwd[0].index = 0;
	dp.fwd[0].packets = 1234;
	dp.fwd[0].bytes = 98765;
	dp.fwd[0].tx_packets = 321;
	dp.fwd[0].tx_bytes = 45678;
	dp.hosts[1] = 12;
	dp.hosts4[1] = 10;
	dp.hosts6[1] = 5; /* 3 dual-stack, 2 IPv6 only */
	dp.n_maps = 1;
	dp.maps[0].name = "xglb_hosts";
	dp.maps[0].entries = 12;
	dp.maps[0].capacity = 65536;
	dp.flips = 9;
	dp.heartbeat_age_s = 0.25;
	dp.host_walks = 42;
	dp.host_count_age_s = 0.5;
	dp.host_walk_s = 0.125;
	xglb_commit_hist_add(&dp.commits, 0.00008);
	xglb_commit_hist_add(&dp.commits, 0.0003);
	xglb_commit_hist_add(&dp.commits, 0.002);
	xglb_commit_hist_add(&dp.commits, 0.7); /* beyond the last bound: only +Inf */
	xglb_commit_hist_wall(&dp.commits, 0.0002, 0);
	xglb_commit_hist_wall(&dp.commits, 0.03, 0.025); /* a grace period in it */
	xglb_commit_hist_wall(&dp.commits, 0.001, 0);
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
	has(t, "xglb_packets_total{verdict=\"redirect\",reason=\"xdp_fp_redirect\"} 77");
	has(t, "xglb_packets_total{verdict=\"pass\",reason=\"xdp_fp_pass_ttl\"} 2");
	has(t, "xglb_packets_total{verdict=\"pass\",reason=\"xdp_fp_pass_no_egress\"} 0");
	has(t, "xglb_group_fast_path{group=\"1\"} 1");
	has(t, "xglb_fast_path_egress_interfaces 2");
	has(t, "xglb_packets_total{verdict=\"pass\",reason=\"tc_steer_off\"} 0");
	has(t, "xglb_packets_total{verdict=\"drop\",reason=\"tc_egress_drop_vip_arp\"} 0");
	has(t, "xglb_arp_replies_total 35"); /* xdp_tx_* and tc_tx_* */
	has(t, "xglb_packets_total{verdict=\"tx\",reason=\"tc_tx_arp_reply\"} 20");
	has(t, "xglb_packets_total{verdict=\"pass\",reason=\"tc_pass_vmac\"} 99");
	has(t, "xglb_packets_total{verdict=\"drop\",reason=\"tc_drop_arp_not_avg\"} 0");
	has(t,
	    "xglb_datapath_info{interface=\"eth0\",hook=\"tc\",driver=\"veth\",config=\"auto\"} 1");
	has(t, "xglb_datapath_info{interface=\"eth1\",hook=\"steering\",driver=\"\",config="
	       "\"auto\"} 1");
	has(t, "xglb_iface_xdp_mode{iface=\"eth0\",mode=\"none\"} 1");
	has(t, "xglb_iface_xdp_mode{iface=\"eth1\",mode=\"none\"} 1");
	has(t, "xglb_iface_xdp_mode{iface=\"vlan\\\"10\",mode=\"generic\"} 1"); /* escaped */
	has(t, "xglb_iface_rx_vlan_offload{iface=\"eth0\"} 1");
	has(t, "xglb_iface_rx_vlan_offload{iface=\"vlan\\\"10\"} 0");
	assert_null(strstr(t, "xglb_iface_rx_vlan_offload{iface=\"eth1\"")); /* unknown: none */
	has(t, "xglb_rx_vlan_offload_refused_total 2");
	has(t, "xglb_forwarder_packets_total{group=\"1\",forwarder=\"0\"} 1234");
	has(t, "xglb_forwarder_bytes_total{group=\"1\",forwarder=\"0\"} 98765");
	has(t, "xglb_forwarder_return_packets_total{group=\"1\",forwarder=\"0\"} 321");
	has(t, "xglb_forwarder_return_bytes_total{group=\"1\",forwarder=\"0\"} 45678");
	has(t, "xglb_map_entries{map=\"xglb_hosts\"} 12");
	has(t, "xglb_map_capacity{map=\"xglb_hosts\"} 65536");
	has(t, "xglb_hosts_assigned{group=\"1\"} 12");
	has(t, "xglb_hosts_family{group=\"1\",family=\"ipv4\"} 10");
	has(t, "xglb_hosts_family{group=\"1\",family=\"ipv6\"} 5");
	has(t, "xglb_group_role{group=\"1\",role=\"standby\"} 1");
	has(t, "xglb_group_role{group=\"1\",role=\"avg\"} 0");
	has(t, "xglb_peer_up{group=\"1\",node=\"r\\\"2\"} 0"); /* label escaped */
	has(t, "xglb_peer_last_heard_seconds{group=\"1\",node=\"r\\\"2\"} 2.500");
	has(t, "xglb_peer_heard{group=\"1\",node=\"r1\"} 1");
	has(t, "xglb_peer_heard{group=\"1\",node=\"r\\\"2\"} 0"); /* never heard */
	has(t, "xglb_forwarder_owner{group=\"1\",forwarder=\"1\"} 3");
	has(t, "xglb_forwarder_weight{group=\"1\",forwarder=\"0\"} 40");
	has(t, "xglb_failovers_total{group=\"1\"} 1");
	has(t, "xglb_membership_gaps_total{group=\"1\"} 6");
	has(t, "xglb_owner_changes_total{group=\"1\"} 5");
	has(t, "xglb_membership_datagrams_total{result=\"auth\"} 2");
	has(t, "xglb_membership_sent_total{result=\"error\"} 1");
	has(t, "xglb_hosts_redistributed_total 4");
	has(t, "# TYPE xglb_event_loop_stall_max_seconds gauge");
	has(t, "xglb_event_loop_stall_max_seconds{cause=\"busy\"} 0.002000");
	has(t, "xglb_event_loop_stall_max_seconds{cause=\"wake\"} 0.010500");
	has(t, "# TYPE xglb_event_loop_stall_max_timestamp_seconds gauge");
	has(t, "xglb_event_loop_stall_max_timestamp_seconds 1764930000.250");
	has(t, "# TYPE xglb_hello_delay_seconds histogram");
	has(t, "xglb_hello_delay_seconds_bucket{le=\"0.0005\",cause=\"wake\"} 6");
	has(t, "xglb_hello_delay_seconds_bucket{le=\"0.002\",cause=\"wake\"} 8");
	has(t, "xglb_hello_delay_seconds_bucket{le=\"0.01\",cause=\"wake\"} 9");
	has(t, "xglb_hello_delay_seconds_bucket{le=\"+Inf\",cause=\"wake\"} 10");
	has(t, "xglb_hello_delay_seconds_sum{cause=\"wake\"} 0.025000");
	has(t, "xglb_hello_delay_seconds_count{cause=\"busy\"} 10");
	has(t, "xglb_hello_delay_seconds_bucket{le=\"0.01\",cause=\"sent\"} 10");
	has(t, "xglb_grace_periods_total{result=\"ok\"} 4");
	has(t, "xglb_grace_periods_total{result=\"refused\"} 1");
	has(t, "xglb_hosts_redistributed_again_total 3");
	has(t, "xglb_redist_again_dropped_total 2");
	has(t, "xglb_redist_owner_hosts_told_total{time=\"first\"} 40");
	has(t, "xglb_redist_owner_hosts_told_total{time=\"again\"} 38");
	has(t, "xglb_redist_owner_hosts_skipped_total{reason=\"stale\"} 4");
	has(t, "xglb_redist_owner_hosts_skipped_total{reason=\"iface\"} 5");
	has(t, "xglb_redist_owner_hosts_skipped_total{reason=\"no_address\"} 6");
	has(t, "xglb_redist_owner_hosts_skipped_total{reason=\"no_forwarder\"} 3");
	has(t, "xglb_redist_owner_hosts_skipped_total{reason=\"send_error\"} 1");
	has(t, "xglb_seen_hosts_aged_total 7");
	has(t, "xglb_seen_learn_total{result=\"new\"} 50");
	has(t, "xglb_seen_learn_total{result=\"refused_full\"} 11");
	has(t, "xglb_seen_learn_total{result=\"refused_source\"} 12");
	has(t, "xglb_ra_sent_total{kind=\"unsolicited\"} 12");
	has(t, "xglb_ra_sent_total{kind=\"solicited\"} 5");
	has(t, "xglb_ra_sent_total{kind=\"error\"} 1");
	has(t, "xglb_ra_sent_total{kind=\"final\"} 3");
	has(t, "xglb_ra_final_skipped_total 2");
	has(t, "xglb_rs_received_total{result=\"answered\"} 5");
	has(t, "xglb_rs_received_total{result=\"ratelimited\"} 3");
	has(t, "xglb_rs_received_total{result=\"invalid\"} 4");
	has(t, "xglb_rs_received_total{result=\"no_group\"} 6");
	has(t, "xglb_na_moved_total 8");
	has(t, "xglb_tracked_object_up{object=\"uplink\",type=\"link\"} 0");
	has(t, "xglb_node_weight 0");
	has(t, "xglb_table_flips_total 9");
	has(t, "xglb_group_withdrawn{group=\"1\",reason=\"forwarding-off\"} 1");
	has(t, "xglb_group_withdrawn{group=\"1\",reason=\"interface-missing\"} 0");
	has(t, "xglb_netlink_messages_total{result=\"malformed\"} 1");
	has(t, "xglb_netlink_overruns_total 2");
	has(t, "xglb_interface_actions_total{action=\"reattached\"} 3");
	has(t, "xglb_interface_actions_total{action=\"vip_restored\"} 4");
	has(t, "xglb_requests_refused_total{channel=\"control\",reason=\"malformed\"} 2");
	has(t, "xglb_requests_refused_total{channel=\"control\",reason=\"timeout\"} 1");
	has(t, "xglb_requests_refused_total{channel=\"http\",reason=\"host\"} 5");
	has(t, "xglb_rx_filter_entries{interface=\"eth0\"} 2");
	has(t, "xglb_rx_filter_entries{interface=\"mv0\"} 0");
	has(t, "xglb_rx_filter_missing{interface=\"mv0\"} 2");
	has(t, "xglb_rx_filter_promiscuous{interface=\"eth0\"} 0");
	has(t, "xglb_rx_filter_promiscuous{interface=\"mv0\"} 1");
	has(t, "xglb_rx_filter_promiscuous_fallbacks_total{interface=\"mv0\"} 3");
	has(t, "xglb_rx_filter_changes_total{op=\"added\"} 11");
	has(t, "xglb_rx_filter_changes_total{op=\"removed\"} 9");
	has(t, "xglb_rx_filter_changes_total{op=\"adopted\"} 2");
	has(t, "xglb_rx_filter_changes_total{op=\"stale_removed\"} 1");
	has(t, "xglb_rx_filter_changes_total{op=\"refused\"} 6");
	has(t, "xglb_rx_filter_changes_total{op=\"error\"} 1");
	has(t, "xglb_conflicts_total{group=\"1\",kind=\"vip\"} 6");
	has(t, "xglb_conflicts_total{group=\"1\",kind=\"vmac\"} 2");
	has(t, "xglb_conflicts_total{group=\"1\",kind=\"vip6\"} 3");
	has(t, "xglb_conflict_na_defended_total 8");
	has(t, "xglb_conflict_events_dropped_total{cause=\"budget\"} 40");
	has(t, "xglb_conflict_events_dropped_total{cause=\"ring_full\"} 1");
	has(t, "xglb_conflict_hosts_defended_total 11");
	has(t, "xglb_conflict_defence_passes_total{group=\"1\",family=\"ipv4\",pass=\"first\"} 3");
	has(t, "xglb_conflict_defence_passes_total{group=\"1\",family=\"ipv4\",pass=\"repeat\"} 2");
	has(t, "xglb_conflict_defence_passes_total{group=\"1\",family=\"ipv6\",pass=\"first\"} 4");
	has(t, "xglb_conflict_defence_passes_total{group=\"1\",family=\"ipv6\",pass=\"repeat\"} 1");
	has(t, "xglb_rx_filter_changes_total{op=\"restored\"} 7");
	has(t, "xglb_rx_filter_mode{mode=\"auto\"} 1");
	has(t, "xglb_rx_filter_mode{mode=\"off\"} 0");
	has(t, "xglb_rx_filter_mode{mode=\"promiscuous\"} 0");
	free(t);
}

/*
 * Checks one exposition against the rules xglb's metrics follow; returns
 * NULL, or what is wrong (in a static buffer). Every family opens with
 * "# HELP name text" then "# TYPE name counter|gauge", is declared once,
 * and is followed only by its own samples; a counter's name ends in
 * _total; every name starts with xglb_; no label value is a MAC address
 * (no per-host series).
 */
#define MAX_FAMILIES 256

static const char *format_error(const char *text)
{
	static char err[256];
	static char families[MAX_FAMILIES][96];
	char *copy = strdup(text), *save = NULL;
	char help_of[96] = "", family[96] = "";
	int n_families = 0, samples = 0;
	bool hist = false; /* the family is a histogram: _bucket, _sum and _count samples */
	regex_t sample, mac;
	const char *bad = NULL;

	assert_non_null(copy);
	assert_int_equal(regcomp(&sample,
				 "^(xglb_[a-z_]+)(\\{[a-z_]+=\"([^\"\\\\]|\\\\.)*\"(,[a-z_]+=\""
				 "([^\"\\\\]|\\\\.)*\")*\\})? -?[0-9.]+$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regcomp(&mac, "=\"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\"", REG_EXTENDED), 0);
#define BAD(...) (snprintf(err, sizeof(err), __VA_ARGS__), bad = err)
	for (char *l = strtok_r(copy, "\n", &save); l && !bad; l = strtok_r(NULL, "\n", &save)) {
		char name[96], type[16];
		regmatch_t m[2];

		if (!strncmp(l, "# HELP ", 7)) {
			if (help_of[0])
				BAD("HELP of %s not followed by its TYPE", help_of);
			else if (family[0] && !samples)
				BAD("family %s has no sample", family);
			else if (sscanf(l + 7, "%95s %15s", name, type) != 2)
				BAD("HELP without a name and a text: %s", l);
			else
				snprintf(help_of, sizeof(help_of), "%s", name);
			continue;
		}
		if (!strncmp(l, "# TYPE ", 7)) {
			if (sscanf(l + 7, "%95s %15s", name, type) != 2) {
				BAD("malformed TYPE: %s", l);
				continue;
			}
			if (strcmp(help_of, name)) {
				BAD("TYPE of %s without its HELP just before", name);
				continue;
			}
			help_of[0] = '\0';
			if (strncmp(name, "xglb_", 5))
				BAD("name without the xglb_ prefix: %s", name);
			else if (strcmp(type, "counter") && strcmp(type, "gauge") &&
				 strcmp(type, "histogram"))
				BAD("%s has type %s, neither counter, gauge nor histogram", name,
				    type);
			else if (!strcmp(type, "counter") &&
				 (strlen(name) < 6 || strcmp(name + strlen(name) - 6, "_total")))
				BAD("counter not ending in _total: %s", name);
			for (int i = 0; i < n_families && !bad; i++)
				if (!strcmp(families[i], name))
					BAD("family declared twice: %s", name);
			if (bad)
				continue;
			assert_true(n_families < MAX_FAMILIES);
			snprintf(families[n_families++], sizeof(families[0]), "%s", name);
			snprintf(family, sizeof(family), "%s", name);
			hist = !strcmp(type, "histogram");
			samples = 0;
			continue;
		}
		if (l[0] == '#') {
			BAD("comment that is neither HELP nor TYPE: %s", l);
			continue;
		}
		if (regexec(&sample, l, 2, m, 0)) {
			BAD("not a sample line: %s", l);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
			 l + m[1].rm_so);
		if (hist) { /* the histogram's own suffixes; le only on _bucket */
			size_t fl = strlen(family);
			const char *sfx = name + fl;

			if (strncmp(name, family, fl) ||
			    (strcmp(sfx, "_bucket") && strcmp(sfx, "_sum") &&
			     strcmp(sfx, "_count")))
				BAD("sample %s of histogram %s without _bucket, _sum or _count",
				    name, family);
			else if (!strcmp(sfx, "_bucket") != (strstr(l, "{le=\"") != NULL))
				BAD("le label not on exactly the _bucket samples: %s", l);
			else
				snprintf(name, sizeof(name), "%s", family);
		}
		if (bad)
			continue;
		if (help_of[0])
			BAD("HELP of %s not followed by its TYPE", help_of);
		else if (strcmp(family, name))
			BAD("sample %s not under its own HELP and TYPE", name);
		else if (!regexec(&mac, l, 0, NULL, 0))
			BAD("per-host label (a MAC): %s", l);
		samples++;
	}
	if (!bad && help_of[0])
		BAD("HELP of %s not followed by its TYPE", help_of);
	if (!bad && family[0] && !samples)
		BAD("family %s has no sample", family);
	if (!bad && !n_families)
		BAD("no metric family at all");
#undef BAD
	regfree(&sample);
	regfree(&mac);
	free(copy);
	return bad;
}

/* Each commit falls in every bucket whose bound it does not exceed; sum, count and max follow. */
static void commit_histogram(void **state)
{
	struct xglb_commit_hist h = {0};
	char *t = render();

	(void)state;
	xglb_commit_hist_add(&h, 0.0001); /* on a bound: counted in it */
	xglb_commit_hist_add(&h, 0.0004);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.le[0], 1);
	assert_int_equal(h.le[1], 1); /* 0.00025 */
	assert_int_equal(h.le[2], 2); /* 0.0005 */
	assert_int_equal(h.le[XGLB_COMMIT_BUCKETS - 1], 2);
	assert_float_equal(h.sum_s, 0.0005, 1e-12);
	assert_float_equal(h.last_s, 0.0004, 1e-12);
	assert_float_equal(h.max_s, 0.0004, 1e-12);
	xglb_commit_hist_add(&h, 0.00005);
	assert_float_equal(h.max_s, 0.0004, 1e-12); /* a shorter one leaves the max */
	assert_int_equal(h.le[0], 2);
	/* wall time: its own sum, last and max; a grace period counted when there was one */
	xglb_commit_hist_wall(&h, 0.02, 0.018);
	xglb_commit_hist_wall(&h, 0.001, 0);
	assert_float_equal(h.wall_sum_s, 0.021, 1e-12);
	assert_float_equal(h.wall_last_s, 0.001, 1e-12);
	assert_float_equal(h.wall_max_s, 0.02, 1e-12);
	assert_int_equal(h.grace_waits, 1);
	assert_float_equal(h.grace_sum_s, 0.018, 1e-12);
	assert_int_equal(h.count, 3); /* the CPU histogram untouched */

	has(t, "# TYPE xglb_commit_seconds histogram");
	has(t, "xglb_commit_seconds_bucket{le=\"0.0001\"} 1");
	has(t, "xglb_commit_seconds_bucket{le=\"0.00025\"} 1");
	has(t, "xglb_commit_seconds_bucket{le=\"0.0005\"} 2");
	has(t, "xglb_commit_seconds_bucket{le=\"0.001\"} 2");
	has(t, "xglb_commit_seconds_bucket{le=\"0.0025\"} 3");
	has(t, "xglb_commit_seconds_bucket{le=\"0.5\"} 3");
	has(t, "xglb_commit_seconds_bucket{le=\"+Inf\"} 4");
	has(t, "xglb_commit_seconds_sum 0.702380");
	has(t, "xglb_commit_seconds_count 4");
	has(t, "xglb_commit_max_seconds 0.700000");
	has(t, "# TYPE xglb_commit_wall_seconds_total counter");
	has(t, "xglb_commit_wall_seconds_total 0.031200");
	has(t, "xglb_commit_wall_max_seconds 0.030000");
	has(t, "xglb_commit_grace_waits_total 1");
	has(t, "xglb_commit_grace_seconds_total 0.025000");
	has(t, "xglb_hosts_count_age_seconds 0.500");
	has(t, "xglb_hosts_count_walk_seconds 0.125");
	has(t, "xglb_hosts_counts_total 42");
	free(t);
}

/* The host counter's pause: a second for small tables, 200 walks' time for large ones. */
static void hostcount_pause(void **state)
{
	(void)state;
	assert_float_equal(xglb_hostcount_pause_s(0), 1, 1e-9);
	assert_float_equal(xglb_hostcount_pause_s(0.001), 1, 1e-9);
	assert_float_equal(xglb_hostcount_pause_s(0.005), 1, 1e-9);
	assert_float_equal(xglb_hostcount_pause_s(0.02), 4, 1e-9);
	assert_float_equal(xglb_hostcount_pause_s(0.5), 100, 1e-9); /* a million hosts */
}

static void follows_the_format(void **state)
{
	char *t = render();
	const char *err = format_error(t);

	if (err)
		fail_msg("%s", err);
	free(t);
}

/* The checker itself: each rule fails on an exposition that breaks it. */
static void format_check_catches_breakage(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {"# TYPE xglb_a_total counter\nxglb_a_total 1\n", "without its HELP"},
	    {"# HELP xglb_a_total a\nxglb_a_total 1\n", "not followed by its TYPE"},
	    {"# HELP xglb_a a\n# TYPE xglb_a counter\nxglb_a 1\n", "not ending in _total"},
	    {"# HELP xglb_total_a a\n# TYPE xglb_total_a counter\nxglb_total_a 1\n",
	     "not ending in _total"},
	    {"# HELP xglb_a a\n# TYPE xglb_a gauge\nxglb_b 1\n", "not under its own"},
	    {"# HELP xglb_a a\n# TYPE xglb_a gauge\nxglb_a 1\n"
	     "# HELP xglb_a a\n# TYPE xglb_a gauge\nxglb_a 2\n",
	     "declared twice"},
	    {"# HELP xglb_a a\n# TYPE xglb_a gauge\n# HELP xglb_b b\n# TYPE xglb_b gauge\nxglb_b "
	     "1\n",
	     "has no sample"},
	    {"# HELP other_a a\n# TYPE other_a gauge\nother_a 1\n", "xglb_ prefix"},
	    {"# HELP xglb_a a\n# TYPE xglb_a summary\nxglb_a 1\n", "neither counter, gauge nor"},
	    {"# HELP xglb_a a\n# TYPE xglb_a histogram\nxglb_a 1\n", "without _bucket, _sum"},
	    {"# HELP xglb_a a\n# TYPE xglb_a histogram\nxglb_a_sum{le=\"1\"} 1\n", "le label"},
	    {"# HELP xglb_a a\n# TYPE xglb_a histogram\nxglb_a_bucket 1\n", "le label"},
	    {"# HELP xglb_a a\n# TYPE xglb_a gauge\nxglb_a{mac=\"02:00:00:00:00:01\"} 1\n",
	     "per-host label"},
	    {"# HELP xglb_a a\n# TYPE xglb_a gauge\nxglb_a one\n", "not a sample line"},
	    {"", "no metric family"},
	};

	assert_null(format_error("# HELP xglb_a_total a\n# TYPE xglb_a_total counter\n"
				 "xglb_a_total{group=\"1\"} 1\n"));
	assert_null(format_error("# HELP xglb_a a\n# TYPE xglb_a histogram\n"
				 "xglb_a_bucket{le=\"+Inf\"} 1\nxglb_a_sum 0.5\nxglb_a_count 1\n"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *err = format_error(bad[i].text);

		if (!err || !strstr(err, bad[i].want))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, bad[i].want,
				 err ? err : "(accepted)");
	}
}

T_MAIN(cmocka_unit_test(renders_values), cmocka_unit_test(commit_histogram),
       cmocka_unit_test(hostcount_pause), cmocka_unit_test(follows_the_format),
       cmocka_unit_test(format_check_catches_breakage))
