#!/usr/bin/env bash
# Record the small flow-test captures in test/fixtures/captures/.
#
# Builds a two-namespace lab (tl-fx-cli and tl-fx-srv joined by one veth pair),
# runs one bounded scenario per capture and removes the lab on exit, even on
# failure. Timestamps, ports and TCP sequence numbers differ on every run, so
# after re-recording run scripts/lab/write-expected.py to refresh the
# tshark-derived fields of each *.expected.json and reread the "how" reasoning.
#
# Usage: sudo scripts/lab/record-fixtures.sh [OUTPUT_DIR] [SCENARIO...]
#   OUTPUT_DIR defaults to test/fixtures/captures; no SCENARIO means all.
#
# Debian packages: iproute2 ethtool tcpdump nftables iputils-ping dnsmasq-base
# socat python3 curl dnsutils tshark (for dumpcap); tcpreplay (tcprewrite)
# where the kernel lacks 802.1Q VLAN devices.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=lab-lib.sh
source "$HERE/lab-lib.sh"

OUT="${1:-$ROOT/test/fixtures/captures}"
shift || true
WANTED=("$@")

PEER="$HERE/lab-peer.py"
CLI=fx-cli
SRV=fx-srv
CLI4=10.66.0.10
SRV4=198.51.100.20
CLI6=2001:db8:66::10
SRV6=2001:db8:51::20
VCLI4=10.66.100.10
VSRV4=10.66.100.20
CLI_MAC=02:00:0a:42:00:0a
SRV_MAC=02:00:c6:33:64:14
# Captures see only the lab's IP traffic, not ARP or link-local ICMPv6 noise.
IP_ONLY='(ip or ip6) and not (ip6 and src net fe80::/10) and not ip6 multicast'

build_lab() {
  lab_add_ns "$CLI"
  lab_add_ns "$SRV"
  lab_link "$CLI" fxc0 "$CLI_MAC" "$SRV" fxs0 "$SRV_MAC"

  # Each side owns one address; the other side is reached on the link.
  lab_exec "$CLI" ip addr add "$CLI4/32" dev fxc0
  lab_exec "$CLI" ip addr add "$CLI6/128" dev fxc0 nodad
  lab_exec "$CLI" ip route add "$SRV4/32" dev fxc0
  lab_exec "$CLI" ip -6 route add "$SRV6/128" dev fxc0
  lab_exec "$SRV" ip addr add "$SRV4/32" dev fxs0
  lab_exec "$SRV" ip addr add "$SRV6/128" dev fxs0 nodad
  lab_exec "$SRV" ip route add "$CLI4/32" dev fxs0
  lab_exec "$SRV" ip -6 route add "$CLI6/128" dev fxs0

  # Static neighbours keep ARP and neighbour discovery out of the captures.
  lab_exec "$CLI" ip neigh add "$SRV4" lladdr "$SRV_MAC" dev fxc0 nud permanent
  lab_exec "$CLI" ip -6 neigh add "$SRV6" lladdr "$SRV_MAC" dev fxc0 nud permanent
  lab_exec "$SRV" ip neigh add "$CLI4" lladdr "$CLI_MAC" dev fxs0 nud permanent
  lab_exec "$SRV" ip -6 neigh add "$CLI6" lladdr "$CLI_MAC" dev fxs0 nud permanent

  # VLAN 100 on both ends when the kernel has 802.1Q support (module 8021q).
  if lab_exec "$CLI" ip link add link fxc0 name fxc0.100 type vlan id 100 2>/dev/null; then
    KERNEL_VLAN=1
    lab_exec "$SRV" ip link add link fxs0 name fxs0.100 type vlan id 100
    lab_plain_offloads "$CLI" fxc0.100
    lab_plain_offloads "$SRV" fxs0.100
    lab_exec "$CLI" ip addr add "$VCLI4/24" dev fxc0.100
    lab_exec "$SRV" ip addr add "$VSRV4/24" dev fxs0.100
    lab_exec "$CLI" ip link set fxc0.100 up
    lab_exec "$SRV" ip link set fxs0.100 up
    lab_exec "$CLI" ip neigh add "$VSRV4" lladdr "$SRV_MAC" dev fxc0.100 nud permanent
    lab_exec "$SRV" ip neigh add "$VCLI4" lladdr "$CLI_MAC" dev fxs0.100 nud permanent
  else
    # Without 8021q the exchange runs untagged on a second address pair and
    # tcprewrite inserts the 802.1Q tag afterwards (see scenario_vlan_tcp).
    KERNEL_VLAN=0
    lab_log "kernel has no VLAN device support; vlan-tcp.pcap gets its tag from tcprewrite"
    lab_exec "$CLI" ip addr add "$VCLI4/32" dev fxc0
    lab_exec "$SRV" ip addr add "$VSRV4/32" dev fxs0
    lab_exec "$CLI" ip route add "$VSRV4/32" dev fxc0 src "$VCLI4"
    lab_exec "$SRV" ip route add "$VCLI4/32" dev fxs0 src "$VSRV4"
    lab_exec "$CLI" ip neigh add "$VSRV4" lladdr "$SRV_MAC" dev fxc0 nud permanent
    lab_exec "$SRV" ip neigh add "$VCLI4" lladdr "$CLI_MAC" dev fxs0 nud permanent
  fi

  # The server drops SYNs to 8443 without answering.
  lab_exec "$SRV" nft -f - <<'EOF'
table inet tl_filter {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 8443 drop
  }
}
EOF
  # Let link-up chatter (MLD reports) pass before any capture starts.
  sleep 1.5
}

wait_for_log() {
  local file="$1" text="$2" tries=0
  until grep -q "$text" "$file" 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || lab_die "timed out waiting for '$text' in $file"
    sleep 0.1
  done
}

start_peer_server() {
  local name="$1"
  shift
  lab_spawn "$SRV" "$name" python3 "$PEER" serve "$@"
  wait_for_log "$LAB_TMP/$name.log" "listening on"
}

scenario_tcp_http_fin() {
  local docroot="$LAB_TMP/www"
  mkdir -p "$docroot"
  printf 'tideline lab index page\n%.0s' {1..20} >"$docroot/index.txt"
  lab_spawn "$SRV" http python3 -m http.server 80 --bind "$SRV4" --directory "$docroot"
  local http_pid="$LAB_LAST_PID"
  sleep 1
  lab_capture_start "$CLI" fxc0 "$OUT/tcp-http-fin.pcap" "$IP_ONLY"
  lab_exec "$CLI" curl -sS -o /dev/null --max-time 5 -H 'User-Agent: tideline-lab' "http://$SRV4/index.txt"
  sleep 0.5
  lab_capture_stop
  kill "$http_pid"
}

scenario_tcp_orig_abort_rst() {
  start_peer_server abort-server --host "$SRV4" --port 8080
  lab_capture_start "$CLI" fxc0 "$OUT/tcp-orig-abort-rst.pcap" "$IP_ONLY"
  lab_exec "$CLI" python3 "$PEER" request --host "$SRV4" --port 8080 --ending abort
  lab_capture_stop
}

scenario_tcp_server_reset_after_data() {
  start_peer_server reset-server --host "$SRV4" --port 8081 --ending reset
  lab_capture_start "$CLI" fxc0 "$OUT/tcp-server-reset-after-data.pcap" "$IP_ONLY"
  lab_exec "$CLI" python3 "$PEER" request --host "$SRV4" --port 8081 --ending wait-reset
  lab_capture_stop
}

scenario_tcp_refused() {
  lab_capture_start "$CLI" fxc0 "$OUT/tcp-refused.pcap" "$IP_ONLY"
  lab_exec "$CLI" python3 "$PEER" attempt --host "$SRV4" --port 9999
  lab_capture_stop
}

scenario_tcp_syn_unanswered() {
  # Linux retransmits the SYN after 1 s and 3 s; a 3.5 s timeout gives 3 SYNs.
  lab_capture_start "$CLI" fxc0 "$OUT/tcp-syn-unanswered.pcap" "$IP_ONLY"
  lab_exec "$CLI" python3 "$PEER" attempt --host "$SRV4" --port 8443 --timeout 3.5
  lab_capture_stop
}

scenario_udp_dns() {
  lab_spawn "$SRV" dnsmasq dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$SRV4" --bind-interfaces --port=53 --pid-file= \
    --host-record=intranet.lab.example,10.66.0.80 --log-queries
  sleep 1
  lab_capture_start "$CLI" fxc0 "$OUT/udp-dns.pcap" "$IP_ONLY"
  lab_exec "$CLI" dig +tries=1 +time=2 +nocookie @"$SRV4" intranet.lab.example A >/dev/null
  lab_capture_stop
}

scenario_udp_one_way() {
  # A syslog-style datagram to a listener that never replies.
  lab_spawn "$SRV" syslog socat -u UDP-RECV:514,bind="$SRV4" /dev/null
  sleep 0.5
  lab_capture_start "$CLI" fxc0 "$OUT/udp-one-way.pcap" "$IP_ONLY"
  lab_exec "$CLI" python3 "$PEER" send-udp --host "$SRV4" --port 514 \
    --payload '<14>Dec  4 22:00:00 ws10 tideline-lab: backup finished' --timeout 0.5
  lab_capture_stop
}

scenario_icmp_echo_ipv4_nanosecond() {
  lab_capture_start "$CLI" fxc0 "$OUT/icmp-echo-ipv4-nanosecond.pcap" "$IP_ONLY" --time-stamp-precision=nano
  lab_exec "$CLI" ping -c 3 -i 0.2 -W 1 "$SRV4" >/dev/null
  lab_capture_stop
}

scenario_icmp_echo_ipv6() {
  lab_capture_start "$CLI" fxc0 "$OUT/icmp-echo-ipv6.pcap" "$IP_ONLY"
  lab_exec "$CLI" ping -6 -c 3 -i 0.2 -W 1 "$SRV6" >/dev/null
  lab_capture_stop
}

scenario_icmp_port_unreachable() {
  lab_capture_start "$CLI" fxc0 "$OUT/icmp-port-unreachable.pcap" "$IP_ONLY"
  lab_exec "$CLI" python3 "$PEER" send-udp --host "$SRV4" --port 33434 --payload 'probe' --timeout 0.5
  lab_capture_stop
}

# dumpcap writes pcapng (section header, interface description, options).
scenario_ipv6_tcp() {
  start_peer_server v6-server --host "$SRV6" --port 8080
  local log="$LAB_TMP/dumpcap.log"
  ip netns exec "${LAB_PREFIX}$CLI" dumpcap -q -i fxc0 -f 'ip6 and tcp' -w "$OUT/ipv6-tcp.pcapng" >"$log" 2>&1 &
  LAB_CAPTURE_PID=$!
  LAB_PIDS+=("$LAB_CAPTURE_PID")
  sleep 1.5
  lab_exec "$CLI" python3 "$PEER" request --host "$SRV6" --port 8080 --ending fin
  lab_capture_stop
  [ -s "$OUT/ipv6-tcp.pcapng" ] || lab_die "dumpcap wrote nothing: $(cat "$log")"
}

scenario_vlan_tcp() {
  start_peer_server vlan-server --host "$VSRV4" --port 8080
  if [ "$KERNEL_VLAN" = 1 ]; then
    # Capturing on the parent interface keeps the 802.1Q tags.
    lab_capture_start "$CLI" fxc0 "$OUT/vlan-tcp.pcap" 'vlan 100 and ip'
    lab_exec "$CLI" python3 "$PEER" request --host "$VSRV4" --port 8080 --ending fin
    lab_capture_stop
    return
  fi
  lab_capture_start "$CLI" fxc0 "$LAB_TMP/vlan-untagged.pcap" "host $VSRV4"
  lab_exec "$CLI" python3 "$PEER" request --host "$VSRV4" --port 8080 --ending fin
  lab_capture_stop
  tcprewrite --enet-vlan=add --enet-vlan-tag=100 --enet-vlan-cfi=0 --enet-vlan-pri=0 \
    --infile="$LAB_TMP/vlan-untagged.pcap" --outfile="$OUT/vlan-tcp.pcap"
}

ALL=(tcp_http_fin tcp_orig_abort_rst tcp_server_reset_after_data tcp_refused tcp_syn_unanswered
  udp_dns udp_one_way icmp_echo_ipv4_nanosecond icmp_echo_ipv6 icmp_port_unreachable ipv6_tcp vlan_tcp)

main() {
  lab_require ip ethtool tcpdump dumpcap tcprewrite nft ping dnsmasq socat python3 curl dig
  trap lab_cleanup EXIT
  trap 'exit 130' INT TERM
  lab_make_tmp
  mkdir -p "$OUT"
  build_lab
  local list=("${ALL[@]}")
  [ "${#WANTED[@]}" -eq 0 ] || list=("${WANTED[@]}")
  local name
  for name in "${list[@]}"; do
    lab_log "scenario $name"
    "scenario_$name"
  done
  chmod 644 "$OUT"/*.pcap "$OUT"/*.pcapng 2>/dev/null || true
  lab_log "captures written to $OUT"
}

main
