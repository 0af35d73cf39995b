#!/usr/bin/env bash
# Record the protocol detector scenarios: one small capture per behaviour,
# from real tools talking between lab namespaces (prefix tl-prt-), into
# test/fixtures/scenarios-proto/. See scenarios-proto/README.md.
#
# Hosts (10.66.0.0/16 is the LAN on bridge br0 in tl-prt-core; the
# "internet" is tl-prt-ext behind the router):
#   10.66.0.1        router
#   10.66.0.21-26    ws1..ws6 workstations (ws3 is the attacker)
#   10.66.1.10-14    srv1..srv5 samba file servers
#   10.66.1.53       dns: dnsmasq, forwards t.example.com to iodined
#   in tl-prt-ext:   198.18.0.9-11 c2.example.net (nginx 443, rotating),
#                    198.18.0.53 iodined, 198.18.0.66 self-signed and
#                    198.18.0.67 expired nginx,
#                    198.18.0.22 sshd on 8080, 198.18.0.80 nginx on 9999,
#                    198.51.100.80 web and CDN names (nginx 80/443),
#                    203.0.113.99:443 an echo service that is not TLS,
#                    198.18.0.90 update.example.net and 198.51.100.81
#                    forum.example.com (checkin-server.py on 80).
#
# Usage: sudo scripts/lab/scenario-proto-detections.sh [SCENARIO...]
#   scenarios: beacon dns-tunnel icmp-tunnel ports smb tls offhours checkin benign
# Debian packages: iproute2 ethtool tcpdump nginx dnsmasq iodine samba
# smbclient openssh-server openssl curl dnsutils socat python3
# python3-cryptography.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LAB_PREFIX="tl-prt-"
# shellcheck source=lab-lib.sh
source "$HERE/lab-lib.sh"

OUT_DIR="$ROOT/test/fixtures/scenarios-proto"
TOOLS="$HERE/scenarios-proto"
BUSINESS_START=2025-12-02T10:00:00Z
NIGHT_START=2025-12-02T01:00:00Z
SMB_PASSWORD='Lab-pass-1'

lab_require ip ethtool tcpdump nginx dnsmasq iodine iodined smbd smbclient net sshd openssl curl dig socat python3 npx
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
  lab_exec core ip link add br0 address 02:00:0a:42:00:01 type bridge
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
  for address in 198.18.0.9 198.18.0.10 198.18.0.11 198.18.0.53 198.18.0.66 198.18.0.67 198.18.0.22 198.18.0.80 198.51.100.80 198.51.100.81 198.18.0.90 203.0.113.99; do
    lab_exec ext ip addr add "$address/32" dev lo
  done

  local i
  for i in 1 2 3 4 5 6; do add_host "ws$i" "10.66.0.2$i" "02:00:0a:42:00:2$i"; done
  for i in 1 2 3 4 5; do add_host "srv$i" "10.66.1.1$((i - 1))" "02:00:0a:42:01:1$((i - 1))"; done
  add_host dns 10.66.1.53 02:00:0a:42:01:53
}

# A lab CA signs the ordinary servers; 198.18.0.66 is self-signed, 198.18.0.67 expired.
write_certificates() {
  python3 "$TOOLS/make-certificates.py" "$LAB_TMP"
}

write_nginx() {
  mkdir -p "$LAB_TMP/www" "$LAB_TMP/nginx-body"
  python3 - "$LAB_TMP/www" <<'PY'
import random, sys
www = sys.argv[1]
rng = random.Random(7)
open(f"{www}/b.txt", "w").write("ok\n")
open(f"{www}/index.html", "w").write("<!doctype html><p>" + "word " * 800 + "</p>\n")
for name, size in (("page1.bin", 30_000), ("page2.bin", 60_000), ("big.bin", 1_500_000)):
    open(f"{www}/{name}", "wb").write(rng.randbytes(size))
PY
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
  root $LAB_TMP/www;
  # TLS 1.2 keeps certificates in the clear, so the capture shows them.
  ssl_protocols TLSv1.2;
  server {
    listen 198.18.0.9:443 ssl; listen 198.18.0.10:443 ssl; listen 198.18.0.11:443 ssl;
    listen 198.51.100.80:443 ssl; listen 198.51.100.80:80;
    ssl_certificate $LAB_TMP/server.pem; ssl_certificate_key $LAB_TMP/server.key;
  }
  server { listen 198.18.0.66:443 ssl; ssl_certificate $LAB_TMP/self.pem; ssl_certificate_key $LAB_TMP/self.key; }
  server { listen 198.18.0.67:443 ssl; ssl_certificate $LAB_TMP/expired.pem; ssl_certificate_key $LAB_TMP/expired.key; }
  server { listen 198.18.0.80:9999; }
}
NGINX
}

write_sshd() {
  mkdir -p /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$LAB_TMP/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$LAB_TMP/admin_key"
  cp "$LAB_TMP/admin_key.pub" "$LAB_TMP/authorized_keys"
  cat >"$LAB_TMP/sshd_config" <<SSHD
ListenAddress 198.18.0.22:8080
HostKey $LAB_TMP/host_key
PidFile $LAB_TMP/sshd.pid
AuthorizedKeysFile $LAB_TMP/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
SSHD
}

# One smbd per file server, each with its own state folders and a password for root.
# smbd runs in its own process group: with --no-process-group, its shutdown
# signals the whole group, which includes this script.
write_samba() {
  local i dir
  for i in 1 2 3 4 5; do
    dir="$LAB_TMP/smb-srv$i"
    mkdir -p "$dir"/{private,lock,state,cache,pid,ncalrpc,projects,admin,c}
    printf 'quarterly figures\n' >"$dir/projects/report.txt"
    cat >"$dir/smb.conf" <<SMB
[global]
  server role = standalone server
  workgroup = LAB
  netbios name = SRV$i
  interfaces = 10.66.1.1$((i - 1))/16
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  load printers = no
  printcap name = /dev/null
  private dir = $dir/private
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  pid directory = $dir/pid
  ncalrpc dir = $dir/ncalrpc
  log file = $dir/log.%m
  passdb backend = tdbsam:$dir/private/passdb.tdb
  server min protocol = SMB2_10
[projects]
  path = $dir/projects
  read only = no
[ADMIN\$]
  path = $dir/admin
  read only = no
[C\$]
  path = $dir/c
  read only = no
SMB
    printf '%s\n%s\n' "$SMB_PASSWORD" "$SMB_PASSWORD" | smbpasswd -c "$dir/smb.conf" -s -a root >/dev/null
  done
}

start_services() {
  lab_spawn ext nginx nginx -c "$LAB_TMP/nginx.conf" -g 'daemon off;'
  lab_spawn ext sshd /usr/sbin/sshd -D -f "$LAB_TMP/sshd_config" -E "$LAB_TMP/sshd-events.log"
  lab_spawn ext echo443 socat TCP-LISTEN:443,bind=203.0.113.99,fork,reuseaddr EXEC:cat
  lab_spawn ext checkin-c2 python3 "$TOOLS/checkin-server.py" 198.18.0.90
  lab_spawn ext checkin-web python3 "$TOOLS/checkin-server.py" 198.51.100.81
  lab_spawn ext iodined iodined -f -c -P "$SMB_PASSWORD" -l 198.18.0.53 -p 53 172.31.0.1/27 t.example.com
  local i
  for i in 1 2 3 4 5; do
    lab_spawn "srv$i" "smbd-srv$i" smbd --foreground --configfile="$LAB_TMP/smb-srv$i/smb.conf"
  done
  lab_spawn dns dnsmasq dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address=10.66.1.53 --bind-interfaces --pid-file= \
    --server=/t.example.com/198.18.0.53 \
    --address=/beat.example.org/198.18.0.9 \
    --host-record=www.example.com,198.51.100.80 --host-record=static.example-cdn.net,198.51.100.80 \
    --host-record=img.example-cdn.net,198.51.100.80 --host-record=files.example.org,198.51.100.80 \
    --host-record=c2.example.net,198.18.0.9 \
    --txt-record=example.org,"v=spf1 -all" --txt-record=_dmarc.example.org,"v=DMARC1; p=reject"
  sleep 3
}

greet_all() {
  local host
  for host in ws1 ws2 ws3 ws4 ws5 ws6 srv1 srv2 srv3 srv4 srv5 dns; do
    lab_exec "$host" ping -c 1 -W 1 10.66.0.1 >/dev/null || true
  done
}

capture_begin() {
  RAW="$LAB_TMP/$1.raw.pcap"
  lab_capture_start core br0 "$RAW" "not ip6"
  greet_all
}

# capture_end NAME STRETCH START: cut bulk segments, then rewrite the times.
capture_end() {
  lab_capture_stop
  python3 "$TOOLS/truncate-large-packets.py" "$RAW" "$RAW.cut" 1600 128
  (cd "$ROOT" && npx tsx scripts/lab/rewrite-pcap-times.ts "$RAW.cut" "$OUT_DIR/$1.pcap" --stretch "$2" --start "$3")
  lab_log "$1.pcap: $(stat -c %s "$OUT_DIR/$1.pcap") bytes"
}

jitter_sleep() { # base ± spread, seconds
  python3 -c "import random,time; time.sleep(max(0.05, $1 + random.uniform(-$2, $2)))"
}

curl_lab() { # curl with the lab CA, TLS 1.2
  curl -s -o /dev/null --cacert "$LAB_TMP/ca.pem" --tls-max 1.2 "$@"
}

# ws1 beacons over HTTPS to c2.example.net, which rotates between three
# addresses, and over DNS with a fresh label under beat.example.org each time.
scenario_beacon() {
  capture_begin proto-beacon
  local i label
  for i in $(seq 0 23); do
    label=$(python3 -c "import secrets; print(secrets.token_hex(8))")
    lab_exec ws1 dig +short +tries=1 +time=2 @10.66.1.53 "$label.beat.example.org" TXT >/dev/null || true
    lab_exec ws1 bash -c "$(declare -f curl_lab); LAB_TMP=$LAB_TMP curl_lab --resolve c2.example.net:443:198.18.0.$((9 + i % 3)) https://c2.example.net/b.txt"
    jitter_sleep 1.5 0.1
  done
  capture_end proto-beacon 40 "$BUSINESS_START"
}

# iodine tunnels IP over DNS through the lab resolver to iodined; a ping and a
# small transfer cross the tunnel.
scenario_dns_tunnel() {
  capture_begin proto-dns-tunnel
  lab_spawn ws1 iodine iodine -f -r -P "$SMB_PASSWORD" 10.66.1.53 t.example.com
  local iodine_pid=$LAB_LAST_PID tries=0
  until lab_exec ws1 ip addr show dns0 2>/dev/null | grep -q 172.31.0; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { lab_log "iodine did not bring up dns0: $(tail -5 "$LAB_TMP/iodine.log")"; break; }
    sleep 0.5
  done
  lab_exec ws1 ping -c 8 -i 0.5 -W 2 172.31.0.1 >/dev/null || true
  kill "$iodine_pid" 2>/dev/null || true
  sleep 1
  capture_end proto-dns-tunnel 1 "$BUSINESS_START"
}

# ws1 sends random echo payloads of 200-1200 bytes to 198.18.0.9; ws2 pings
# 198.51.100.80 the ordinary way.
scenario_icmp_tunnel() {
  capture_begin proto-icmp-tunnel
  lab_exec ws2 ping -c 5 -i 0.3 198.51.100.80 >/dev/null || true
  lab_exec ws1 python3 "$TOOLS/send-icmp-tunnel.py" 198.18.0.9 30 200 1200 0.1
  sleep 1
  capture_end proto-icmp-tunnel 1 "$BUSINESS_START"
}

# SSH on 8080, HTTP on 9999, and a non-TLS protocol on 443; HTTPS to the web
# server on 443 is the control.
scenario_ports() {
  capture_begin proto-ports
  lab_exec ws1 ssh -p 8080 -i "$LAB_TMP/admin_key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o BatchMode=yes root@198.18.0.22 true || true
  local i
  for i in 1 2 3; do lab_exec ws2 curl -s -o /dev/null http://198.18.0.80:9999/index.html; done
  lab_exec ws3 bash -c "head -c 6000 /dev/urandom | socat -t 2 - TCP:203.0.113.99:443 >/dev/null" || true
  lab_exec ws4 bash -c "$(declare -f curl_lab); LAB_TMP=$LAB_TMP curl_lab https://www.example.com/index.html --resolve www.example.com:443:198.51.100.80"
  sleep 1
  capture_end proto-ports 1 "$BUSINESS_START"
}

# ws3 lists the shares of five servers, copies a program to ADMIN$ on srv2
# and opens the service control pipe there.
scenario_smb() {
  capture_begin proto-smb
  local i
  for i in 0 1 2 3 4; do
    lab_exec ws3 smbclient -L "//10.66.1.1$i" -U "root%$SMB_PASSWORD" -m SMB3 >/dev/null 2>&1 || true
  done
  printf 'MZ not a real program\n' >"$LAB_TMP/PSEXESVC.exe"
  lab_exec ws3 smbclient "//10.66.1.11/ADMIN\$" -U "root%$SMB_PASSWORD" -m SMB3 -c "put $LAB_TMP/PSEXESVC.exe PSEXESVC.exe" >/dev/null 2>&1 || true
  lab_exec ws3 net rpc service list -S 10.66.1.11 -U "root%$SMB_PASSWORD" >/dev/null 2>&1 || true
  sleep 1
  capture_end proto-smb 1 "$BUSINESS_START"
}

# Six workstations fetch one page with curl; ws3 also uses Python (another
# JA3); ws4 reaches the self-signed server by address (no SNI) and by name.
scenario_tls() {
  capture_begin proto-tls
  local i
  for i in 1 2 3 4 5 6; do
    lab_exec "ws$i" bash -c "$(declare -f curl_lab); LAB_TMP=$LAB_TMP curl_lab https://www.example.com/index.html --resolve www.example.com:443:198.51.100.80"
  done
  lab_exec ws3 python3 - "$LAB_TMP/ca.pem" <<'PY'
import socket, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[1])
context.maximum_version = ssl.TLSVersion.TLSv1_2
with socket.create_connection(("198.51.100.80", 443)) as raw, context.wrap_socket(raw, server_hostname="www.example.com") as tls:
    tls.sendall(b"GET /b.txt HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n")
    while tls.recv(4096):
        pass
PY
  lab_exec ws4 curl -sk -o /dev/null --tls-max 1.2 https://198.18.0.66/b.txt || true
  lab_exec ws4 curl -sk -o /dev/null --tls-max 1.2 --resolve selfsigned.example.net:443:198.18.0.66 https://selfsigned.example.net/b.txt || true
  lab_exec ws5 curl -sk -o /dev/null --tls-max 1.2 --resolve expired.example.net:443:198.18.0.67 https://expired.example.net/b.txt || true
  sleep 1
  capture_end proto-tls 1 "$BUSINESS_START"
}

# At night, ws1 and ws2 each download 1.5 MB from files.example.org.
scenario_offhours() {
  capture_begin proto-offhours
  local i
  for i in 1 2; do
    lab_exec "ws$i" bash -c "$(declare -f curl_lab); LAB_TMP=$LAB_TMP curl_lab https://files.example.org/big.bin --resolve files.example.org:443:198.51.100.80"
  done
  sleep 1
  capture_end proto-offhours 1 "$NIGHT_START"
}

# ws1 checks in five times, 2-4 s apart, each time on a new connection. Each
# check-in is a POST to update.example.net/gate.php with a fresh random
# parameter name and value, a small form body of hex and an MSIE 7 user
# agent, without cookie or Referer. In the same capture, ws2 opens a forum
# page (which sets a cookie) and posts four comments with the cookie and a
# Referer, ws4 posts JSON telemetry six times to one constant URI, and ws5
# sends three OCSP requests. Only ws1 should raise http-checkin.
scenario_checkin() {
  capture_begin proto-checkin
  local msie='Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; WOW64; Trident/7.0)'
  local firefox='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
  (
    lab_exec ws2 curl -s -o /dev/null -A "$firefox" -c "$LAB_TMP/ws2.jar" \
      --resolve forum.example.com:80:198.51.100.81 http://forum.example.com/post.html
    for i in 1 2 3 4; do
      jitter_sleep 2.5 1
      lab_exec ws2 curl -s -o /dev/null -A "$firefox" -b "$LAB_TMP/ws2.jar" -c "$LAB_TMP/ws2.jar" \
        -e http://forum.example.com/post.html --data "q=comment+$i&t=$(python3 -c 'import secrets; print(secrets.token_hex(8))')" \
        --resolve forum.example.com:80:198.51.100.81 \
        "http://forum.example.com/comment.php?token=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
    done
  ) &
  local forum=$!

  (
    for i in 1 2 3 4 5 6; do
      lab_exec ws4 curl -s -o /dev/null -A 'lab-agent/1.4' -H 'Content-Type: application/json' \
        --data "{\"seq\":$i,\"cpu\":0.$((RANDOM % 90 + 10)),\"ts\":$(date +%s%N)}" \
        --resolve telemetry.example.com:80:198.51.100.81 'http://telemetry.example.com/v1/metrics?app=lab&version=2'
      jitter_sleep 2 0.5
    done
  ) &
  local telemetry=$!

  (
    for i in 1 2 3; do
      head -c 83 /dev/urandom >"$LAB_TMP/ocsp-$i.der"
      lab_exec ws5 curl -s -o /dev/null -A "$firefox" -H 'Content-Type: application/ocsp-request' \
        --data-binary "@$LAB_TMP/ocsp-$i.der" --resolve ocsp.example-ca.net:80:198.51.100.81 http://ocsp.example-ca.net/
      jitter_sleep 3 1
    done
  ) &
  local ocsp=$!

  local name value body
  for i in 1 2 3 4 5; do
    name=$(python3 -c "import random, string; print(random.choice(string.ascii_lowercase))")
    value=$(python3 -c "import random, string; print(''.join(random.choice(string.ascii_lowercase + string.digits) for _ in range(random.randint(10, 16))))")
    body="$(python3 -c "import random, string; print(random.choice(string.ascii_lowercase))")=$(python3 -c 'import secrets; print(secrets.token_hex(64))')"
    lab_exec ws1 curl -s -o /dev/null -A "$msie" -H 'Content-Type: application/x-www-form-urlencoded' \
      --data "$body" --resolve update.example.net:80:198.18.0.90 "http://update.example.net/gate.php?$name=$value"
    jitter_sleep 3 1
  done
  wait "$forum" "$telemetry" "$ocsp"
  sleep 1
  capture_end proto-checkin 1 "$BUSINESS_START"
}

# Ordinary use: browsing with CDN names and irregular pauses, SPF and DMARC
# TXT lookups, a normal ping, and a file server used over SMB.
scenario_benign() {
  capture_begin proto-benign
  local i name
  for i in $(seq 1 10); do
    name=$(python3 -c "import random; print(random.choice(['www.example.com','static.example-cdn.net','img.example-cdn.net']))")
    lab_exec ws1 dig +short +tries=1 +time=2 @10.66.1.53 "$name" >/dev/null || true
    lab_exec ws1 bash -c "$(declare -f curl_lab); LAB_TMP=$LAB_TMP curl_lab https://$name/page$((1 + i % 2)).bin --resolve $name:443:198.51.100.80"
    jitter_sleep 2 1.5
  done
  lab_exec ws2 dig +short +tries=1 +time=2 @10.66.1.53 example.org TXT >/dev/null || true
  lab_exec ws2 dig +short +tries=1 +time=2 @10.66.1.53 _dmarc.example.org TXT >/dev/null || true
  lab_exec ws2 ping -c 4 -i 0.3 198.51.100.80 >/dev/null || true
  printf 'meeting notes\n' >"$LAB_TMP/notes.txt"
  lab_exec ws2 smbclient //10.66.1.10/projects -U "root%$SMB_PASSWORD" -m SMB3 \
    -c "get report.txt $LAB_TMP/report-copy.txt; put $LAB_TMP/notes.txt notes.txt" >/dev/null 2>&1 || true
  sleep 1
  capture_end proto-benign 1 "$BUSINESS_START"
}

mkdir -p "$OUT_DIR"
build_lab
write_certificates
write_nginx
write_sshd
write_samba
start_services
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(beacon dns-tunnel icmp-tunnel ports smb tls offhours checkin benign)
for name in "${SCENARIOS[@]}"; do
  lab_log "scenario $name"
  "scenario_${name//-/_}"
done
