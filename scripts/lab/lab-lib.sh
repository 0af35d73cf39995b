# Shared helpers for the capture lab. Source this file from bash; it defines
# functions only and starts nothing.
#
# The lab is built from network namespaces whose names start with
# LAB_PREFIX ("tl-" unless set). Every namespace, daemon and temporary folder
# created through these helpers is recorded and removed by lab_cleanup, which
# the calling script installs as an EXIT trap. Nothing in the lab has a route
# to the machine's own namespace or beyond it.
#
# Requires root, iproute2, ethtool and tcpdump.

LAB_PREFIX="${LAB_PREFIX:-tl-}"
LAB_NAMESPACES=()
LAB_PIDS=()
LAB_TMP=""

lab_log() {
  printf '[lab %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
}

lab_die() {
  lab_log "error: $*"
  exit 1
}

# Check that the tools a script needs exist before the lab is built.
lab_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || lab_die "$tool is not installed (see scripts/lab/README.md for the Debian packages)"
  done
  [ "$(id -u)" -eq 0 ] || lab_die "the lab needs root to create network namespaces"
}

# Create the temporary folder that holds daemon configuration and logs.
lab_make_tmp() {
  LAB_TMP="$(mktemp -d /tmp/tideline-lab.XXXXXX)"
}

# Stop recorded daemons by process id, then delete recorded namespaces and the
# temporary folder. Safe to call twice.
lab_cleanup() {
  local pid ns
  for pid in "${LAB_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  sleep 0.3
  for pid in "${LAB_PIDS[@]}"; do
    kill -9 "$pid" 2>/dev/null || true
  done
  LAB_PIDS=()
  for ns in "${LAB_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  LAB_NAMESPACES=()
  if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
    rm -rf "$LAB_TMP"
  fi
}

# Create a namespace named PREFIX+$1 with loopback up; refuses a stale one so
# that two runs never share a lab.
lab_add_ns() {
  local ns="${LAB_PREFIX}$1"
  if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
    lab_die "namespace $ns already exists; remove it with 'ip netns del $ns' if no lab run is active"
  fi
  ip netns add "$ns"
  LAB_NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
  # No router solicitations or duplicate address detection: they would add
  # unrelated ICMPv6 packets to captures and delay the addresses.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
}

# Run a command inside a lab namespace: lab_exec NAME cmd args...
lab_exec() {
  local ns="${LAB_PREFIX}$1"
  shift
  ip netns exec "$ns" "$@"
}

# Start a command in the background inside a namespace and record its pid.
# Output goes to $LAB_TMP/NAME.log. Sets LAB_LAST_PID.
lab_spawn() {
  local ns="$1" logname="$2"
  shift 2
  ip netns exec "${LAB_PREFIX}${ns}" "$@" >"$LAB_TMP/$logname.log" 2>&1 &
  LAB_LAST_PID=$!
  LAB_PIDS+=("$LAB_LAST_PID")
}

# Turn off checksum and segmentation offloads on an interface. Without this,
# packets captured on the sending side of a veth carry partial checksums (which
# Zeek and Wireshark report as bad) and segments larger than the MTU.
lab_plain_offloads() {
  local ns="$1" dev="$2"
  lab_exec "$ns" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
    lab_die "ethtool could not turn off offloads on $dev in ${LAB_PREFIX}$ns"
}

# Connect namespace A and B with a veth pair: lab_link A DEV_A MAC_A B DEV_B MAC_B
lab_link() {
  local ns_a="$1" dev_a="$2" mac_a="$3" ns_b="$4" dev_b="$5" mac_b="$6"
  ip link add "$dev_a" netns "${LAB_PREFIX}$ns_a" address "$mac_a" type veth \
    peer name "$dev_b" netns "${LAB_PREFIX}$ns_b" address "$mac_b"
  lab_plain_offloads "$ns_a" "$dev_a"
  lab_plain_offloads "$ns_b" "$dev_b"
  ip -n "${LAB_PREFIX}$ns_a" link set "$dev_a" up
  ip -n "${LAB_PREFIX}$ns_b" link set "$dev_b" up
}

# Start tcpdump in a namespace and wait until it is listening. Extra
# arguments are passed to tcpdump before the filter. Sets LAB_CAPTURE_PID.
# lab_capture_start NS DEV FILE FILTER [tcpdump options...]
lab_capture_start() {
  local ns="$1" dev="$2" file="$3" filter="$4"
  shift 4
  local log="$LAB_TMP/tcpdump.$(basename "$file").log"
  ip netns exec "${LAB_PREFIX}$ns" tcpdump -i "$dev" --immediate-mode -U -n -s 0 "$@" -w "$file" "$filter" >"$log" 2>&1 &
  LAB_CAPTURE_PID=$!
  LAB_PIDS+=("$LAB_CAPTURE_PID")
  local tries=0
  until grep -q 'listening on' "$log"; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || lab_die "tcpdump did not start on $dev: $(cat "$log")"
    sleep 0.1
  done
}

# Stop a capture started by lab_capture_start and wait for the file to close.
lab_capture_stop() {
  sleep 0.5
  kill -INT "$LAB_CAPTURE_PID" 2>/dev/null || true
  wait "$LAB_CAPTURE_PID" 2>/dev/null || true
}
