#!/usr/bin/env bash
# test_console.sh - the read-only web console in headless Chromium, run inside a router's
# namespace (it reaches that router's 127.0.0.1:9867 and nothing else): the page shows the three
# nodes and their forwarders; an open page follows a failover (kill -9 of an AVF's xglbd and its
# link down): after the hold time it shows that node down and its forwarders owned by survivors,
# without a reload; a fresh load (--dump-dom) on another node agrees; a screenshot is kept in
# tests/artifacts/console.png (gitignored).
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
		--user-data-dir="$udd" "$@" "$URL" >"$out" 2>"$udd.log" &
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
lab_setup "${ROUTERS[@]}" -- c1
lab_start_all membership=1 owners=r1,r2,r3,r2 persistence=3 hello_ms=$HELLO hold_ms=$HOLD || bail "xglbd ready on every router" "$LAB_ERR"
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
	bash -c '[ "$(grep -cE "forwarder [13] owned by r[13]" <<<"$1")" -ge 2 ]' _ "$ev"
echo "$(cdp "shot $LAB_DIR/live.png")" >/dev/null
check "Page.captureScreenshot of the open page is a PNG" \
	bash -c '[ "$(head -c 8 "$1" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]' _ "$LAB_DIR/live.png"
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
for r in r1 r3; do lab_stop_xglbd "$r" 5; done
t_done
