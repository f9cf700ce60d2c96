#!/usr/bin/env bash
# test_console.sh - the web console in headless Chromium, run inside a router's
# namespace (it reaches that router's 127.0.0.1:9867 and nothing else): the page shows the three
# nodes and their forwarders; an open page follows a failover (kill -9 of an AVF's xglbd and its
# link down): after the hold time it shows that node down and its forwarders owned by survivors,
# without a reload; a fresh load (--dump-dom) on another node agrees; a screenshot is kept in
# tests/artifacts/console.png (gitignored).
# Then the operator's actions: the token file xglbd created (0600); POSTs without the token, with
# a wrong one, from another origin, as text/plain, with a command the console may not send, too
# long: each refused with its status and counted, the forwarder unchanged; a page of another
# origin that forges a form POST and fetches is refused; in the open page, a wrong token is
# refused and drops the page back to read-only; with the token a drag of forwarder 2 onto r1
# moves it (xglbctl --json forwarders on r1 and r3), logged with who asked; the persistence list,
# "remove", the preferred list, drain and undrain act too. tests/artifacts/console-drag.png is
# the page mid-drag.
#
# The open page is driven over --remote-debugging-pipe (no TCP port) by a small Python helper
# written to the lab dir; the one-shot loads use --dump-dom and --screenshot.
#
# Lab: r1 r2 r3 (r3 AVG), 4 forwarders owned r1,r2,r3,r2; r2 is the one that dies.
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
HELLO=200
HOLD=2000
URL=http://127.0.0.1:9867/
ART=$LAB_ROOT/tests/artifacts
SHOT=$ART/console.png
CHROMIUM=${CHROMIUM:-chromium}
CHROME_FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync)


t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools "$CHROMIUM" python3 jq

# What the console must show, from a node's status: "nodes=r1:1,r2:1,r3:1 fwd=0:r1,1:r2,... avg=r3"
want_view() {
	lab_jst "$1" '.groups[0] | "nodes=\([.peers[] | "\(.name):\(if .up then 1 else 0 end)"] | join(",")) fwd=\([.forwarders[] | "\(.index):\(.owner_name)"] | join(",")) avg=\(.avg_name)"'
}
# The same, read from a DOM (the page's own data-* attributes).
JS_VIEW='(() => { const q = s => [...document.querySelectorAll(s)]; const sec = document.querySelector("section[data-avg]"); return "nodes=" + q("tr[data-node]").map(e => e.dataset.node + ":" + e.dataset.up).join(",") + " fwd=" + q("tr[data-forwarder]").map(e => e.dataset.forwarder + ":" + e.dataset.owner).join(",") + " avg=" + (sec ? sec.dataset.avg : ""); })()'

# ---- one-shot Chromium runs in a router's namespace ------------------------------------
# chrome ROUTER OUT ARGS...: run Chromium with ARGS against the router's console, stdout to OUT;
# a fresh profile each time; waits for it (and the helpers it forks) to be gone.
chrome() {
	local r=$1 out=$2 udd pid
	shift 2
	udd=$(mktemp -d "$LAB_DIR/chrome.XXXXXX")
	timeout -k 5 60 ip netns exec "$(lab_ns "$r")" "$CHROMIUM" "${CHROME_FLAGS[@]}" \
		--user-data-dir="$udd" "$@" "${CHROME_URL:-$URL}" >"$out" 2>"$udd.log" &
	pid=$!
	lab_register_pid "$pid" "$r:chromium"
	wait "$pid"
	local rc=$?
	lab_wait 10 no_procs "$udd" || not_ok "Chromium's processes ($udd) exit after the run"
	return $rc
}
# pgrep exits 1 for "none" (not 2 or 3 for its own errors); checks only: nothing is killed by name
no_procs() {
	pgrep -f -- "--user-data-dir=$1" >/dev/null
	[ $? = 1 ]
}
dom_view() { # file -> the view from a dumped DOM
	python3 - "$1" <<'EOF'
import re, sys
html = open(sys.argv[1]).read()
nodes = re.findall(r'<tr data-node="([^"]*)" data-up="([^"]*)"', html)
fwds = re.findall(r'<tr data-forwarder="([^"]*)" data-owner="([^"]*)"', html)
avg = re.findall(r'<section id="group-[0-9]+" data-avg="([^"]*)"', html)
print("nodes=" + ",".join(f"{n}:{u}" for n, u in nodes) + " fwd=" +
      ",".join(f"{i}:{o}" for i, o in fwds) + " avg=" + (avg[0] if avg else ""))
EOF
}

# ---- the live page: Chromium driven over a pipe -------------------------------------------
write_cdp() {
	cat >"$LAB_DIR/cdp.py" <<'EOF'
# cdp.py URL USER_DATA_DIR: one headless Chromium (started here, in this namespace), driven
# over --remote-debugging-pipe. Commands on stdin, one per line:
#   eval JS    -> one line: the JSON of the value    shot FILE -> PNG of the page, "ok"
#   mouse move|down|up X Y -> a mouse event at (X, Y), left button, "ok"
#   quit       -> closes the browser and exits
import base64, fcntl, json, os, signal, subprocess, sys

url, udd = sys.argv[1], sys.argv[2]
flags = sys.argv[3:]

def high(fd):  # above 9 and close-on-exec, so the dup2 to 3 and 4 below always takes
    n = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return n

cmd_r, cmd_w = map(high, os.pipe())
res_r, res_w = map(high, os.pipe())

def child():
    os.dup2(cmd_r, 3)
    os.dup2(res_w, 4)

browser = subprocess.Popen(
    ["chromium", *flags, "--user-data-dir=" + udd, "--window-size=1200,900",
     "--remote-debugging-pipe", "about:blank"],
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(udd + ".log", "w"),
    preexec_fn=child, close_fds=False)
os.close(cmd_r)
os.close(res_w)

def stop(*_):
    if browser.poll() is None:
        browser.terminate()
        try:
            browser.wait(5)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
buf, next_id = b"", 0
pressed = False

def call(method, params=None, session=None):
    global buf, next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params or {}}
    if session:
        msg["sessionId"] = session
    os.write(cmd_w, json.dumps(msg).encode() + b"\0")
    while True:
        while b"\0" not in buf:
            chunk = os.read(res_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            buf += chunk
        raw, buf = buf.split(b"\0", 1)
        m = json.loads(raw)
        if m.get("id") == next_id:
            if "error" in m:
                raise RuntimeError(f"{method}: {m['error']}")
            return m["result"]

try:
    target = call("Target.createTarget", {"url": url})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        op, _, arg = line.rstrip("\n").partition(" ")
        if op == "eval":
            r = call("Runtime.evaluate", {"expression": arg, "returnByValue": True,
                                          "awaitPromise": True}, session)
            print(json.dumps(r.get("result", {}).get("value")), flush=True)
        elif op == "shot":
            r = call("Page.captureScreenshot", {"format": "png"}, session)
            with open(arg, "wb") as f:
                f.write(base64.b64decode(r["data"]))
            print(json.dumps("ok"), flush=True)
        elif op == "mouse":
            kind, x, y = arg.split()
            pressed = kind == "down" or (pressed and kind == "move")
            call("Input.dispatchMouseEvent",
                 {"type": {"move": "mouseMoved", "down": "mousePressed", "up": "mouseReleased"}[kind],
                  "x": float(x), "y": float(y),
                  "button": "left" if kind != "move" or pressed else "none",
                  "buttons": 1 if pressed else 0, "clickCount": 1}, session)
            print(json.dumps("ok"), flush=True)
        elif op == "quit":
            try:
                call("Browser.close")
            except RuntimeError:
                pass
            break
        else:
            print(json.dumps({"error": "unknown op " + op}), flush=True)
except Exception as e:
    print(json.dumps({"error": str(e)}), flush=True)
finally:
    try:
        browser.wait(5)
    except subprocess.TimeoutExpired:
        pass
    stop()
EOF
}
# cdp LINE: one command to the live page; prints its one-line JSON answer ("" on timeout).
cdp() {
	local line=""
	{ echo "$1" >&"$CDP_IN"; } 2>/dev/null || return 1
	read -r -t 20 line <&"$CDP_OUT"
	printf '%s\n' "$line"
}
live_view() { cdp "eval $JS_VIEW" | jq -r '. // empty' 2>/dev/null; }
live_is() { [ "$(live_view)" = "$1" ]; }
live_shows() { [ "$(live_view)" = "$(want_view "$1")" ]; } # the page shows ROUTER's status now

# ---- lab ------------------------------------------------------------------------------
mkdir -p "$ART"
rm -f "$SHOT"
LAB_IPV6=1 # the group serves IPv6 too: the page shows its gateway address
lab_setup "${ROUTERS[@]}" -- c1
lab_start_all membership=1 owners=r1,r2,r3,r2 persistence=3 hello_ms=$HELLO hold_ms=$HOLD ipv6=1 || bail "xglbd ready on every router" "$LAB_ERR"
lab_wait 10 lab_agree "${ROUTERS[@]}" || bail "r1 r2 r3 agree on one group state"
up() { lab_exec "$1" curl -s -o /dev/null --max-time 1 "$URL"; }
lab_wait 5 up r1 || bail "r1 serves the console on $URL in its namespace"
before=$(want_view r1)
check_eq "status: three nodes up, forwarders r1,r2,r3,r2, AVG r3" "$before" \
	"nodes=r1:1,r2:1,r3:1 fwd=0:r1,1:r2,2:r3,3:r2 avg=r3"
lab_exec c1 ping -c 3 -i 0.2 -q "$LAB_SERVER_IP" >/dev/null # some bytes for the load column

# ---- a fresh load: --dump-dom -----------------------------------------------------------
chrome r1 "$LAB_DIR/dom1.html" --dump-dom --virtual-time-budget=5000
rc=$?
check "Chromium in r1's namespace loads $URL and dumps the DOM (exit $rc)" \
	grep -q 'data-loaded="1"' "$LAB_DIR/dom1.html"
check_eq "DOM: rows data-node r1 r2 r3 (up), forwarder rows with data-owner, the AVG" \
	"$(dom_view "$LAB_DIR/dom1.html")" "$before"
check "DOM: the page names its node (r1, id 1) and the membership mode" \
	bash -c 'grep -q "<span id=\"node\">[^<]*r1 (id 1)</span>" "$1" && grep -q "<span id=\"mode\">membership mode" "$1"' \
	_ "$LAB_DIR/dom1.html"
check "DOM: the group's IPv6 gateway (its virtual link-local) and router advertisements on" \
	grep -q "<div class=\"sub\" id=\"ipv6-$LAB_GID\" data-ipv6=\"$LAB_LL6\">IPv6 · gateway $LAB_LL6 · router advertisements on</div>" \
	"$LAB_DIR/dom1.html"
check "DOM: the RA counters line" grep -qE '<div class="sub" id="ipv6">RAs sent [1-9][0-9]* periodic' "$LAB_DIR/dom1.html"
check "DOM: the recent events list the ownership the node took at start" \
	grep -q 'forwarder 0 owned by r1 (this node)' "$LAB_DIR/dom1.html"

# ---- the open page follows a failover ------------------------------------------------------
write_cdp
udd=$(mktemp -d "$LAB_DIR/chrome.XXXXXX")
coproc CDP { exec ip netns exec "$(lab_ns r1)" python3 "$LAB_DIR/cdp.py" "$URL" "$udd" "${CHROME_FLAGS[@]}" 2>"$LAB_DIR/cdp.err"; }
cdp_pid=$CDP_PID
lab_register_pid "$cdp_pid" "r1:cdp.py"
# Bash keeps a coproc's own descriptors out of subshells: use copies ($(cdp ...) is one).
exec {CDP_IN}>&"${CDP[1]}" {CDP_OUT}<&"${CDP[0]}"
read -r -t 30 hello <&"$CDP_OUT"
[ "$hello" = '"ready"' ] || bail "Chromium opens $URL over the debugging pipe" "$hello" "$(tail -n 5 "$LAB_DIR/cdp.err")"
loaded() { [ "$(cdp 'eval document.body.dataset.loaded || ""')" = '"1"' ]; }
lab_wait 10 loaded || not_ok "the open page has loaded /api/status"
cdp 'eval window.xglbTestMark = 42' >/dev/null # survives only if the page is never reloaded
lab_wait 5 live_is "$before" || not_ok "the open page shows the group" "$(live_view)"
check_eq "open page: three nodes up, forwarders r1,r2,r3,r2, AVG r3" "$(live_view)" "$before"
updated=$(cdp 'eval document.getElementById("updated").textContent' | jq -r .)

# Load bars: while c1 pings through the gateway, the node that owns c1's forwarder (the one
# whose byte count grows) carries (nearly) all of the group's bytes.
lab_bg c1 "$LAB_DIR/ping.log" ping -c 40 -i 0.1 -q "$LAB_SERVER_IP"
ping_pid=$LAB_BG_PID
top_load() { # "NODE:PERCENT" of the node row with the largest load bar
	cdp 'eval (rows => rows.length ? rows[0].dataset.node + ":" + rows[0].dataset.load : "")([...document.querySelectorAll("tr[data-node]")].sort((a, b) => b.dataset.load - a.dataset.load))' | jq -r .
}
busy_owner() { lab_jst r1 '.groups[0].forwarders | max_by(.bytes) | .owner_name'; }
carries() { [[ "$(top_load)" =~ ^$(busy_owner):(9[0-9]|100)$ ]]; }
if lab_wait 5 carries; then
	ok "load bars: while c1 pings, the owner of its forwarder carries 90-100 % of the bytes ($(top_load))"
else
	not_ok "load bars: while c1 pings, the owner of its forwarder carries 90-100 % of the bytes" \
		"page: $(top_load)" "busiest forwarder's owner: $(busy_owner)"
fi
wait "$ping_pid" 2>/dev/null

# r2 owns fwd 1 and 3: kill -9 its agent and cut its link.
lab_kill_xglbd r2 || bail "kill -9 of r2's xglbd"
lab_exec r2 ip link set eth0 down
t_kill=$(date +%s%N)
lab_wait 10 lab_agree r1 r3 || not_ok "r1 and r3 agree after r2 died"
after=$(want_view r1)
check "status after the failover: r2 down, its forwarders with survivors ($after)" \
	bash -c '[[ "$1" =~ ^nodes=r1:1,r2:0,r3:1\ fwd=0:r1,1:r[13],2:r3,3:r[13]\ avg=r3$ ]]' _ "$after"
if lab_wait 10 live_is "$after"; then
	ok "the open page updates by itself: r2 down, fwd 1 and 3 owned by survivors, $((($(date +%s%N) - t_kill) / 1000000)) ms after kill -9 (hold $HOLD ms + 1 s polling)"
else
	not_ok "the open page shows r2 down and its forwarders with survivors" "page:   $(live_view)" "status: $after"
fi
check_eq "... in the same page (never reloaded) whose 'updated' time moved on" \
	"$(cdp 'eval window.xglbTestMark' | jq -r .) $([ "$(cdp 'eval document.getElementById("updated").textContent' | jq -r .)" != "$updated" ] && echo moved)" \
	"42 moved"
check_eq "the r2 row is marked down (class down, text 'down')" \
	"$(cdp 'eval (document.querySelector("tr[data-node=r2] .down") || {}).textContent' | jq -r .)" down
ev=$(cdp 'eval [...document.querySelectorAll("#events li")].map(e => e.textContent).join("\n")' | jq -r .)
check "the page's recent events show the takeover (forwarders 1 and 3 owned by r1/r3)" \
	bash -c '[ "$(grep -oE "forwarder [13] owned by r[13]" <<<"$1" | cut -c1-11 | sort -u | wc -l)" -eq 2 ]' _ "$ev"
echo "$(cdp "shot $LAB_DIR/live.png")" >/dev/null
check "Page.captureScreenshot of the open page is a PNG" \
	bash -c '[ "$(head -c 8 "$1" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]' _ "$LAB_DIR/live.png"

# ---- actions: the token, refusals, a forged cross-site page, then the open page acts ------------
# r1 and r3 are up, r3 the AVG. Forwarder 2 is r3's; every action below is made on r1's console.
TOKEN_FILE=$LAB_DIR/state-r1/console-token
check_eq "xglbd created its console token: $TOKEN_FILE, root's, mode 600, 64 hex digits" \
	"$(stat -c '%U %a' "$TOKEN_FILE" 2>&1) $(grep -cxE '[0-9a-f]{64}' "$TOKEN_FILE")" "root 600 1"
TOKEN=$(cat "$TOKEN_FILE")
fwd2() { # "owner p=persistence pref=preferred" of forwarder 2, from ROUTER's xglbctl --json forwarders
	lab_xglbctl "$1" --json forwarders
	jq -r '.[] | select(.index == 2) | "\(.owner_name) p=\(.persistence) pref=\(.preferred)"' <<<"$OUT"
}
fwd2_is() { [ "$(fwd2 "$1")" = "$2" ]; }
pers2_is() { [ "$(fwd2 "$1" | cut -d' ' -f2-)" = "$2" ]; } # persistence and preference only
refused() { lab_jst r1 ".requests_refused.http.$1"; }
MOVE='{"command":"move","forwarder":2,"node":"r1"}'
# post BODY CURL_ARGS...: POST BODY to r1's /api/action; prints the HTTP status (the body: post.out)
post() {
	local body=$1
	shift
	lab_exec r1 curl -s -o "$LAB_DIR/post.out" -w '%{http_code}' --max-time 5 -X POST \
		--data-binary "$body" "$@" "${URL}api/action"
}
before2=$(fwd2 r1)
[[ "$before2" == "r3 "* ]] || not_ok "forwarder 2 is r3's before the actions" "$before2"
long=$(printf '{"command":"move","forwarder":2,"node":"r1","pad":"%05000d"}' 0)
J=Content-Type:application/json T=X-Xglb-Token:$TOKEN
while IFS='|' read -r what want reason body args; do
	n0=$(refused "$reason")
	# shellcheck disable=SC2086 # args: curl options, split on purpose
	code=$(post "$body" $args)
	check_eq "POST /api/action $what: $want, counted as $reason, forwarder 2 unchanged" \
		"$code $(($(refused "$reason") - n0)) $(fwd2 r1)" "$want 1 $before2"
done <<LIST
without the token|401|no_token|$MOVE|-H $J
with a wrong token|401|bad_token|$MOVE|-H $J -H X-Xglb-Token:${TOKEN//[0-9a-f]/0}
with the token from another origin|403|cross_site|$MOVE|-H $J -H $T -H Origin:http://127.0.0.1:8765
with the token, Sec-Fetch-Site cross-site|403|cross_site|$MOVE|-H $J -H $T -H Sec-Fetch-Site:cross-site
with the token as text/plain|415|content_type|$MOVE|-H Content-Type:text/plain -H $T
with the token as a form|415|content_type|$MOVE|-H $T
with the token and a rebound Host|421|host|$MOVE|-H $J -H $T -H Host:evil.example:9867
with the token: reload, not a console action|403|command|{"command":"reload"}|-H $J -H $T
with the token: a malformed request|400|body|{"command":"move","forwarder":"two"}|-H $J -H $T
with the token: 5 KB|413|body|$long|-H $J -H $T
LIST
check "the refusals are in r1's log with who asked (console 127.0.0.1:PORT) and why" \
	grep -qE '^xglbd: warning: console 127\.0\.0\.1:[0-9]+: action refused \(no_token\)' "$(lab_xglbd_log r1)"
metric=$(lab_exec r1 curl -s --max-time 3 "${URL}metrics" | grep -F 'channel="http",reason="bad_token"')
check_eq "/metrics counts it: xglb_requests_refused_total{channel=\"http\",reason=\"bad_token\"}" \
	"$metric" 'xglb_requests_refused_total{channel="http",reason="bad_token"} 1'

# A page of another origin (127.0.0.1:8765, served in r1's namespace) forges the move: a
# text/plain form POST shaped as JSON, a no-cors fetch, and a fetch with a token header (which
# needs a CORS preflight).
mkdir -p "$LAB_DIR/evil"
cat >"$LAB_DIR/evil/index.html" <<PAGE
<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="${URL}api/action" enctype="text/plain" target="sink">
<input name='{"command":"move","forwarder":2,"node":"r1","x":"' value='"}'></form>
<div id="out"></div>
<script>
const A = "${URL}api/action", B = JSON.stringify({command: "move", forwarder: 2, node: "r1"}), out = [];
document.getElementById("f").submit();
(async () => {
  try { await fetch(A, {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: B}); out.push("nocors:sent"); }
  catch (e) { out.push("nocors:error"); }
  try { const r = await fetch(A, {method: "POST", headers: {"Content-Type": "application/json", "X-Xglb-Token": "guess"}, body: B}); out.push("cors:" + r.status); }
  catch (e) { out.push("cors:blocked"); }
  document.getElementById("out").textContent = out.join(" ");
})();
</script></body></html>
PAGE
lab_bg r1 "$LAB_DIR/evil.log" python3 -m http.server --bind 127.0.0.1 --directory "$LAB_DIR/evil" 8765
evil_pid=$LAB_BG_PID
evil_up() { lab_exec r1 curl -s -o /dev/null --max-time 1 http://127.0.0.1:8765/; }
lab_wait 5 evil_up || not_ok "the other origin's page is served on 127.0.0.1:8765 in r1's namespace"
ct0=$(refused content_type) m0=$(refused method)
CHROME_URL=http://127.0.0.1:8765/ chrome r1 "$LAB_DIR/evil.html" --dump-dom --virtual-time-budget=5000
check_eq "the forged page: its no-cors fetch goes out, its token fetch is blocked by the browser" \
	"$(grep -o '<div id="out">[^<]*</div>' "$LAB_DIR/evil.html")" '<div id="out">nocors:sent cors:blocked</div>'
forged() { [ $(($(refused content_type) - ct0)) -ge 2 ] && [ $(($(refused method) - m0)) -ge 1 ]; }
lab_wait 5 forged
check_eq "xglbd refused its form POST and no-cors fetch (415, text/plain) and the preflight (405)" \
	"content_type+$(($(refused content_type) - ct0)) method+$(($(refused method) - m0))" "content_type+2 method+1"
check_eq "... and forwarder 2 is still where it was" "$(fwd2 r1)" "$before2"
kill "$evil_pid" 2>/dev/null
wait "$evil_pid" 2>/dev/null

# The open page: read-only until a token is given.
check_eq "the open page is read-only: no visible drain button, nothing unlocked" \
	"$(cdp 'eval document.body.dataset.canAct + " " + [...document.querySelectorAll("button[data-action=drain]")].filter(b => b.offsetParent).length' | jq -r .)" "0 0"
unlock() { cdp "eval (document.getElementById('token').value = '$1', document.getElementById('unlock').click(), 1)" >/dev/null; }
center() { # CSS selector -> "X Y", the middle of the element in the viewport
	cdp "eval (r => Math.round(r.x + r.width / 2) + ' ' + Math.round(r.y + r.height / 2))(document.querySelector('$1').getBoundingClientRect())" | jq -r .
}
drag() { # FROM_SELECTOR TO_SELECTOR [SHOT]: press, move in steps, (screenshot), release
	local fx fy tx ty i
	read -r fx fy <<<"$(center "$1")"
	read -r tx ty <<<"$(center "$2")"
	cdp "mouse move $fx $fy" >/dev/null
	cdp "mouse down $fx $fy" >/dev/null
	for i in 1 2 3 4; do cdp "mouse move $((fx + (tx - fx) * i / 5)) $((fy + (ty - fy) * i / 5))" >/dev/null; done
	cdp "mouse move $tx $ty" >/dev/null
	DROP_TARGET=$(cdp 'eval (document.querySelector("tr.drop-target") || {dataset: {}}).dataset.node || ""' | jq -r .)
	[ -n "${3:-}" ] && cdp "shot $3" >/dev/null
	cdp "mouse up $tx $ty" >/dev/null
}
result() { cdp 'eval document.getElementById("result").dataset.ok + " " + document.getElementById("result").textContent' | jq -r .; }
result_is() { [[ "$(result)" == $1 ]]; }
can_act() { [ "$(cdp 'eval document.body.dataset.canAct' | jq -r .)" = "$1" ]; }

unlock "${TOKEN//[0-9a-f]/1}"
lab_wait 5 can_act 1 || not_ok "the page takes a token"
lab_wait 3 live_is "$(want_view r1)"
drag 'tr[data-forwarder="2"] .grip' 'tr[data-node="r1"] td'
check "with a wrong token the drag is refused: the page says authentication failed" \
	lab_wait 5 result_is "0 move forwarder 2 to r1: authentication failed*"
check_eq "... forwarder 2 unchanged, the page back to read-only" \
	"$(fwd2 r1) $(can_act 0 && echo read-only)" "$before2 read-only"

unlock "$TOKEN"
lab_wait 5 can_act 1 || not_ok "the page takes the token"
lab_wait 3 live_is "$(want_view r1)" # a fresh render, so the rows are where they were measured
drag 'tr[data-forwarder="2"] .grip' 'tr[data-node="r1"] td' "$ART/console-drag.png"
check_eq "mid-drag, r1's row is the drop target" "$DROP_TARGET" r1
check "a drag of forwarder 2 (r3's) onto r1 moves it: xglbctl --json forwarders on r1: r1, persistence 3, preferred r1 (id 1)" \
	lab_wait 10 fwd2_is r1 "r1 p=3 pref=1"
check "... and on the AVG r3" lab_wait 5 fwd2_is r3 "r1 p=3 pref=1"
check "... the page reports it sent (r1 is not the AVG: the request rides on its hellos)" \
	lab_wait 5 result_is "1 move forwarder 2 to r1: sent to the AVG"
check "... r1's log names who asked: console 127.0.0.1:PORT: move forwarder 2 to r1 in group $LAB_GID" \
	grep -qE "^xglbd: info: console 127\.0\.0\.1:[0-9]+: move forwarder 2 to r1 in group $LAB_GID: sent to the group's AVG in hellos" "$(lab_xglbd_log r1)"
page_owner2() { [ "$(cdp 'eval document.querySelector("tr[data-forwarder=\"2\"]").dataset.owner' | jq -r .)" = r1 ]; }
check "... and the open page shows r1 as its current host" lab_wait 5 page_owner2
check "the screenshot mid-drag $ART/console-drag.png is a PNG" \
	bash -c '[ "$(head -c 8 "$1" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]' _ "$ART/console-drag.png"

# The lists and buttons: persistence 1, remove (0), preferred r3, drain and undrain r1.
select_in() { # FORWARDER LIST VALUE
	cdp "eval (s => (s.value = '$3', s.dispatchEvent(new Event('change')), s.value))(document.querySelector('tr[data-forwarder=\"$1\"] select[data-set=$2]'))" >/dev/null
}
lab_wait 3 live_is "$(want_view r1)"
select_in 2 persistence 1
check "persistence list: 1 on forwarder 2 (sticky to its current host, r1)" lab_wait 10 fwd2_is r1 "r1 p=1 pref=1"
lab_wait 3 live_is "$(want_view r1)"
cdp 'eval document.querySelector("tr[data-forwarder=\"2\"] button[data-action=unpin]").click()' >/dev/null
check "remove (the preference): persistence 0 (load balancing may now move it)" lab_wait 10 pers2_is r1 "p=0 pref=1"
lab_wait 3 live_is "$(want_view r1)"
select_in 2 preferred r3
check "preferred list: r3 (id 3) becomes forwarder 2's preferred host" lab_wait 10 pers2_is r1 "p=0 pref=3"
drained() { [ "$(lab_jst r1 '.node.drained')" = "$1" ]; }
r1_owns_none() {
	lab_xglbctl r1 --json forwarders
	[ -z "$(jq -r '.[] | select(.owner_name == "r1") | .index' <<<"$OUT")" ]
}
lab_wait 3 live_is "$(want_view r1)"
cdp 'eval document.querySelector("button[data-action=drain][data-node=r1]").click()' >/dev/null
check "drain r1 (its row's button): r1 drained" lab_wait 10 drained true
check "... its forwarders move to r3" lab_wait 10 r1_owns_none
can_undrain() { [ "$(cdp 'eval document.querySelectorAll("button[data-action=undrain][data-node=r1]").length' | jq -r .)" = 1 ]; }
lab_wait 5 can_undrain || not_ok "the page offers undrain for r1"
cdp 'eval document.querySelector("button[data-action=undrain][data-node=r1]").click()' >/dev/null
check "undrain r1: drained no more" lab_wait 10 drained false
check_eq "every action was one line in r1's log with who asked" \
	"$(grep -cE '^xglbd: info: console 127\.0\.0\.1:[0-9]+: (move|unpin|prefer|drain|undrain) ' "$(lab_xglbd_log r1)")" 6
# what the fresh loads below must agree with, once forwarder 0 is back on r1 (persistence 3)
fwd0_home() { [ "$(lab_jst r1 '.groups[0].forwarders[0].owner_name')" = r1 ]; }
lab_wait 10 fwd0_home || not_ok "forwarder 0 returns to r1 after the undrain"
lab_wait 10 lab_agree r1 r3 || not_ok "r1 and r3 agree after the actions"
after=$(want_view r1)
cdp quit >/dev/null
exec {CDP_IN}>&- {CDP_OUT}<&-
wait "$cdp_pid" 2>/dev/null
check "the live Chromium and its helpers exit" lab_wait 10 no_procs "$udd"

# ---- a fresh load elsewhere agrees; the screenshot -----------------------------------------
chrome r3 "$LAB_DIR/dom3.html" --dump-dom --virtual-time-budget=5000
check_eq "a fresh load in r3's namespace (the AVG) shows the same: r2 down, owners as r1 reports" \
	"$(dom_view "$LAB_DIR/dom3.html")" "$(want_view r3)"
check_eq "... which is what r1 reports" "$(want_view r3)" "$after"
chrome r1 "$LAB_DIR/shot.out" --screenshot="$SHOT" --window-size=1200,900 --virtual-time-budget=5000
check "screenshot $SHOT: a non-empty PNG, 1200x900" \
	bash -c 'f=$1; [ -s "$f" ] && [ "$(head -c 8 "$f" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ] &&
		[ "$(od -An -tu1 -j16 -N8 "$f" | tr -s " " | sed "s/^ //")" = "0 0 4 176 0 0 3 132" ]' _ "$SHOT"
echo "# screenshot: $SHOT ($(stat -c %s "$SHOT" 2>/dev/null) bytes)"

check "no Chromium of this lab is left" no_procs "$LAB_DIR/"

# ---- the token file: rotated by a reload; a bad one kept out -----------------------------------
# 400 (the request's own error: a move without its fields) means the token was taken.
auth_code() { post '{"command":"move"}' -H "$J" -H "X-Xglb-Token:$1"; }
new=$(printf 'rotated-%056d' 7)
printf '%s\n' "$new" >"$TOKEN_FILE"
lab_reload_xglbd r1 || not_ok "r1 reloads"
check_eq "a reload re-reads the token file: the new token is taken (400), the old one refused (401)" \
	"$(auth_code "$new") $(auth_code "$TOKEN")" "400 401"
printf 'another-token-%050d\n' 1 >"$TOKEN_FILE"
chmod 644 "$TOKEN_FILE"
lab_reload_xglbd r1 || not_ok "r1 reloads"
check "a token file others may read is refused at a reload, named, and the running token stays" \
	grep -qF "console token: $TOKEN_FILE: mode 0644 lets group and others at the console token, must be 0600 or stricter (chmod 600 $TOKEN_FILE) (console-token-file: state-dir/console-token, in " "$(lab_xglbd_log r1)"
check_eq "... the running token still acts, the file's new one does not" \
	"$(auth_code "$new") $(auth_code "another-token-$(printf '%050d' 1)")" "400 401"
# At start such a file stops xglbd before it attaches anything (r2's was killed above).
chmod 640 "$LAB_DIR/state-r2/console-token"
if lab_restart_xglbd r2 2>/dev/null; then
	not_ok "r2 does not start with a token file its group may read"
else
	check "r2 does not start with a token file its group may read, and says which and why" \
		grep -qE "^xglbd: error: console token: $LAB_DIR/state-r2/console-token: mode 0640 lets the group at the console token.*; not starting$" "$(lab_xglbd_log r2)"
fi
check_eq "... before it attached or pinned anything new: no ready line, no data path line" \
	"$(grep -cE 'ready: node r2|data path (xdp|tc)' "$(lab_xglbd_log r2)")" 0
for r in r1 r3; do lab_stop_xglbd "$r" 5; done
t_done
