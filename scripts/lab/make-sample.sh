#!/usr/bin/env bash
# Record assets/sample.pcapng: about 140 seconds of a small office, captured
# on the office router's LAN interface (the stories run for 150 s; the
# capture spans their first to last packet).
#
# Story (all addresses are lab addresses; nothing leaves the namespaces):
#   10.66.0.21 alice  browses www.example.com over HTTP and HTTPS, reads
#                     news.example.net over HTTPS, downloads a report from
#                     the internal file server over HTTP, pings the gateway,
#                     then lists the file server's SMB shares and on the
#                     "projects" share reads a spreadsheet and saves notes
#   10.66.0.22 bob    browses www.example.com over HTTPS, over IPv6 too
#                     (2001:db8:66::22), pings it over IPv6, reads
#                     news.example.net over HTTPS, checks the file server's
#                     uptime over SSH (key login); his PC's asset
#                     inventory agent is buggy: it fetches its configuration
#                     from the file server's web server with a User-Agent
#                     that contains a tab and a control byte, then sends its
#                     heartbeat as bare JSON with no HTTP request line
#                     (Zeek weird bad_HTTP_request; the server responds with 400)
#   10.66.0.23 carol  infected: beacons over HTTPS to updates.example.org
#                     (203.0.113.66) about every 4 s with up to 1.5 s jitter
#   10.66.0.24 dave   pings the file server, then connect-scans its TCP
#                     ports 1-200 with nmap
#   erin              a laptop that joins after about 50 s: gets its
#                     address from the router's DHCP server (DISCOVER,
#                     OFFER, REQUEST, ACK with a host name and vendor
#                     class), resolves www.example.com and opens it in
#                     Chromium over QUIC (HTTP/3), which the office firewall
#                     blocks (UDP 443 dropped), so only its Initial packets
#                     are seen until the handshake times out; then fetches
#                     the page over HTTPS
#   10.66.0.1         router: DHCP server for the LAN (dnsmasq, 10.66.0.100-150)
#   10.66.1.50        internal file server (HTTP 80 with nginx, SMB 445 with
#                     samba, SSH 22 with OpenSSH, a listener on 139; ports
#                     111 and 135 silently dropped)
#   10.66.1.53        internal DNS (dnsmasq) answering for every name above
#   198.51.100.80, 203.0.113.10, 203.0.113.66, 2001:db8:cafe::80
#                     external web servers (nginx, self-signed certificate)
#
# Topology: each workstation namespace has a veth into a bridge br0 in the
# router namespace tl-sm-core (10.66.0.1, 2001:db8:66::1); the router
# reaches the server segment (10.66.1.0/24) and the "internet" namespace on
# two more veth pairs. tcpdump on br0 sees every packet a workstation sends
# or receives through the router once, and the DHCP broadcasts. IPv6
# neighbours are static and MLD is filtered out so the IPv6 part is only the
# traffic of the story; ARP is left in. Timing is real (no time rewriting),
# so a rerun gives different timestamps, ports, addresses and counts: rerun
# scripts/lab/write-sample-expected.ts afterwards to refresh
# test/fixtures/sample.expected.json.
#
# dhclient runs inside erin's namespace with a hook script that only sets
# the address and route there (never /etc/resolv.conf). Chromium runs with a
# throwaway profile, background networking off and a host resolver map, so
# its only traffic is the QUIC attempt.
#
# Usage: sudo scripts/lab/make-sample.sh [OUTPUT.pcapng]
# Debian packages: iproute2 ethtool tcpdump nftables iputils-ping nginx-light
# dnsmasq-base socat nmap curl dnsutils openssl python3 samba smbclient
# openssh-server openssh-client isc-dhcp-client chromium tshark (for editcap).

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=lab-lib.sh
source "$HERE/lab-lib.sh"

OUT="${1:-$ROOT/assets/sample.pcapng}"
DURATION_S=150
BEACON_INTERVAL_S=4
SMB_PASSWORD=lab-sample-7
ERIN_MAC=02:00:0a:42:00:25
DNS=10.66.1.53
FILES=10.66.1.50
WWW4=198.51.100.80
WWW6=2001:db8:cafe::80
NEWS=203.0.113.10
C2=203.0.113.66
CORE_MAC=02:00:0a:42:00:01
CHROME_UA='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
# Bob's inventory agent: a template bug puts a tab and a 0x01 byte in its User-Agent.
AGENT_UA=$'AssetAgent/3.2\t(bob-pc;\x01build 417)'

add_workstation() {
  local name="$1" last="$2"
  lab_add_ns "sm-$name"
  lab_link "sm-$name" eth0 "02:00:0a:42:00:$last" sm-core "p-$name" "02:00:0a:42:ff:$last"
  lab_exec sm-core ip link set "p-$name" master br0
  lab_exec "sm-$name" ip addr add "10.66.0.$last/24" dev eth0
  lab_exec "sm-$name" ip addr add "2001:db8:66::$last/64" dev eth0 nodad
  lab_exec "sm-$name" ip route add default via 10.66.0.1
  lab_exec "sm-$name" ip -6 route add default via 2001:db8:66::1
  lab_exec "sm-$name" ip -6 neigh add 2001:db8:66::1 lladdr "$CORE_MAC" dev eth0 nud permanent
  lab_exec sm-core ip -6 neigh add "2001:db8:66::$last" lladdr "02:00:0a:42:00:$last" dev br0 nud permanent
}

build_lab() {
  lab_add_ns sm-core
  lab_exec sm-core sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  lab_exec sm-core ip link add br0 address "$CORE_MAC" type bridge
  lab_exec sm-core ip link set br0 up
  lab_plain_offloads sm-core br0
  lab_exec sm-core ip addr add 10.66.0.1/24 dev br0
  lab_exec sm-core ip addr add 2001:db8:66::1/64 dev br0 nodad
  add_workstation alice 21
  add_workstation bob 22
  add_workstation carol 23
  add_workstation dave 24

  # erin's laptop: on the bridge with no IPv4 address until DHCP gives one.
  lab_add_ns sm-erin
  lab_link sm-erin eth0 "$ERIN_MAC" sm-core p-erin 02:00:0a:42:ff:25
  lab_exec sm-core ip link set p-erin master br0

  # Server segment: the file server and DNS share one namespace.
  lab_add_ns sm-srv
  lab_link sm-core srv0 02:00:0a:42:01:01 sm-srv eth0 02:00:0a:42:01:32
  lab_exec sm-core ip addr add 10.66.1.1/24 dev srv0
  lab_exec sm-srv ip addr add "$FILES/24" dev eth0
  lab_exec sm-srv ip addr add "$DNS/24" dev eth0
  lab_exec sm-srv ip route add default via 10.66.1.1
  lab_exec sm-srv nft -f - <<'EOF'
table inet tl_filter {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport { 111, 135 } drop
  }
}
EOF

  # "Internet": the external servers' addresses live on its loopback.
  lab_add_ns sm-inet
  lab_link sm-core up0 02:00:c6:12:00:01 sm-inet eth0 02:00:c6:12:00:02
  lab_exec sm-core ip addr add 198.18.0.1/30 dev up0
  lab_exec sm-core ip addr add 2001:db8:ff::1/64 dev up0 nodad
  lab_exec sm-inet ip addr add 198.18.0.2/30 dev eth0
  lab_exec sm-inet ip addr add 2001:db8:ff::2/64 dev eth0 nodad
  lab_exec sm-inet ip route add default via 198.18.0.1
  lab_exec sm-inet ip -6 route add default via 2001:db8:ff::1
  local address
  for address in "$WWW4/32" "$NEWS/32" "$C2/32"; do
    lab_exec sm-inet ip addr add "$address" dev lo
  done
  lab_exec sm-inet ip addr add "$WWW6/128" dev lo
  for address in 198.51.100.0/24 203.0.113.0/24; do
    lab_exec sm-core ip route add "$address" via 198.18.0.2
  done
  lab_exec sm-core ip -6 route add 2001:db8:cafe::/48 via 2001:db8:ff::2
  # The office firewall blocks QUIC: UDP 443 from the LAN is dropped.
  lab_exec sm-core nft -f - <<'EOF'
table inet tl_office {
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "br0" udp dport 443 drop
  }
}
EOF
  sleep 1.5
}

write_content() {
  local www="$LAB_TMP/www" news="$LAB_TMP/news" files="$LAB_TMP/files"
  mkdir -p "$www" "$news" "$files"
  python3 - "$www" "$news" "$files" <<'EOF'
import os, random, sys
www, news, files = sys.argv[1:4]
rng = random.Random(20261204)
def text(words):
    vocab = "network flow packet office report quarter sales update server client policy backup".split()
    return " ".join(rng.choice(vocab) for _ in range(words))
open(f"{www}/index.html", "w").write(f"<!doctype html><title>Example</title><p>{text(900)}</p>\n")
open(f"{www}/app.js", "w").write("// app\n" + "".join(f"var v{i} = '{text(6)}';\n" for i in range(900)))
open(f"{www}/logo.png", "wb").write(rng.randbytes(90_000))
open(f"{news}/index.html", "w").write(f"<!doctype html><title>News</title><p>{text(2500)}</p>\n")
open(f"{files}/q3-report.pdf", "wb").write(rng.randbytes(240_000))
os.makedirs(f"{files}/agent", exist_ok=True)
open(f"{files}/agent/config.json", "w").write('{"interval":3600,"report":"http://files.corp.lab.example/agent/"}\n')
EOF
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=www.example.com \
    -addext 'subjectAltName=DNS:www.example.com,DNS:news.example.net,DNS:updates.example.org' \
    -keyout "$LAB_TMP/key.pem" -out "$LAB_TMP/cert.pem" 2>/dev/null
  cat >"$LAB_TMP/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $LAB_TMP/nginx.pid;
error_log $LAB_TMP/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $LAB_TMP/nginx-body;
  proxy_temp_path $LAB_TMP/nginx-proxy;
  fastcgi_temp_path $LAB_TMP/nginx-fastcgi;
  uwsgi_temp_path $LAB_TMP/nginx-uwsgi;
  scgi_temp_path $LAB_TMP/nginx-scgi;
  ssl_certificate $LAB_TMP/cert.pem;
  ssl_certificate_key $LAB_TMP/key.pem;
  server { listen $WWW4:80; listen [$WWW6]:80; listen $WWW4:443 ssl; listen [$WWW6]:443 ssl;
           server_name www.example.com; root $www; }
  server { listen $NEWS:443 ssl; server_name news.example.net; root $news; }
  server { listen $C2:443 ssl; server_name updates.example.org;
           location / { default_type application/json; return 200 '{"status":"ok","next":5}'; } }
}
EOF
  # The file server's intranet web server: a second nginx with its own state.
  cat >"$LAB_TMP/nginx-files.conf" <<EOF
user root;
worker_processes 1;
pid $LAB_TMP/nginx-files.pid;
error_log $LAB_TMP/nginx-files-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $LAB_TMP/nginx-files-body;
  proxy_temp_path $LAB_TMP/nginx-files-proxy;
  fastcgi_temp_path $LAB_TMP/nginx-files-fastcgi;
  uwsgi_temp_path $LAB_TMP/nginx-files-uwsgi;
  scgi_temp_path $LAB_TMP/nginx-files-scgi;
  types { application/pdf pdf; application/json json; }
  server { listen $FILES:80; server_name files.corp.lab.example; root $files; }
}
EOF
}

# The file server's samba: one normal share, "projects", for the LAN's
# users. NTLM user "alice" is mapped to the local root account, whose samba
# password lives in this run's own passdb.
write_samba() {
  local dir="$LAB_TMP/smb"
  mkdir -p "$dir"/{private,lock,state,cache,pid,ncalrpc,projects}
  python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(7).randbytes(24_000))' \
    >"$dir/projects/budget-2026.xlsx"
  printf 'root = alice\n' >"$dir/users.map"
  cat >"$dir/smb.conf" <<SMB
[global]
  server role = standalone server
  workgroup = CORP
  netbios name = FILES
  interfaces = $FILES/24
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  load printers = no
  printcap name = /dev/null
  username map = $dir/users.map
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
  comment = Project files
  path = $dir/projects
  read only = no
SMB
  printf '%s\n%s\n' "$SMB_PASSWORD" "$SMB_PASSWORD" | smbpasswd -c "$dir/smb.conf" -s -a root >/dev/null
}

# The file server's sshd, with a host key and one authorized key made for this run.
write_sshd() {
  mkdir -p /run/sshd
  ssh-keygen -q -t ed25519 -N '' -C files -f "$LAB_TMP/ssh_host_key"
  ssh-keygen -q -t ed25519 -N '' -C bob -f "$LAB_TMP/bob_key"
  cp "$LAB_TMP/bob_key.pub" "$LAB_TMP/authorized_keys"
  cat >"$LAB_TMP/sshd_config" <<SSHD
ListenAddress $FILES:22
HostKey $LAB_TMP/ssh_host_key
PidFile $LAB_TMP/sshd.pid
AuthorizedKeysFile $LAB_TMP/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
SSHD
}

# erin's DHCP client: sends a host name and a vendor class; its hook
# script configures only erin's namespace.
write_dhclient() {
  cat >"$LAB_TMP/dhclient.conf" <<'CONF'
send host-name "erin-laptop";
send vendor-class-identifier "dhclient 4.4.3 Debian";
request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, host-name;
CONF
  cat >"$LAB_TMP/dhclient-hook" <<'HOOK'
#!/bin/sh
case "$reason" in
  PREINIT) ip link set dev "$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
    for router in $new_routers; do ip route replace default via "$router" dev "$interface"; break; done ;;
esac
exit 0
HOOK
  chmod 755 "$LAB_TMP/dhclient-hook"
}

start_services() {
  lab_spawn sm-inet nginx nginx -c "$LAB_TMP/nginx.conf" -g 'daemon off;'
  lab_spawn sm-srv dnsmasq dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$DNS" --bind-interfaces --pid-file= \
    --host-record=www.example.com,$WWW4,$WWW6 --host-record=news.example.net,$NEWS \
    --host-record=updates.example.org,$C2 --host-record=files.corp.lab.example,$FILES
  lab_spawn sm-srv nginx-files nginx -c "$LAB_TMP/nginx-files.conf" -g 'daemon off;'
  lab_spawn sm-srv sshd /usr/sbin/sshd -D -f "$LAB_TMP/sshd_config" -E "$LAB_TMP/sshd-events.log"
  lab_spawn sm-srv listen-139 socat TCP-LISTEN:139,bind=$FILES,fork,reuseaddr /dev/null
  # smbd runs in its own process group: its shutdown signals the whole group.
  lab_spawn sm-srv smbd smbd --foreground --configfile="$LAB_TMP/smb/smb.conf"
  lab_spawn sm-core dhcp dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
    --pid-file= --dhcp-range=10.66.0.100,10.66.0.150,255.255.255.0,12h --dhcp-authoritative --no-ping \
    --dhcp-option=option:router,10.66.0.1 --dhcp-option=option:dns-server,$DNS \
    --domain=corp.lab.example --dhcp-leasefile="$LAB_TMP/dhcp.leases"
  sleep 2
}

# Resolve NAME through the office DNS from workstation WS; prints the address.
resolve() {
  local ws="$1" name="$2" type="${3:-A}"
  lab_exec "sm-$ws" dig +short +tries=1 +time=2 @"$DNS" "$name" "$type" | head -n 1
}

browse() {
  local ws="$1" scheme="$2" name="$3" address="$4"
  shift 4
  local port=80 path
  [ "$scheme" = https ] && port=443
  for path in "$@"; do
    lab_exec "sm-$ws" curl -sS -k -o /dev/null --max-time 10 -A 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' \
      --resolve "$name:$port:$address" "$scheme://$name$path" || lab_log "$ws: $scheme://$name$path failed"
  done
}

story_alice() {
  sleep 2
  browse alice http www.example.com "$(resolve alice www.example.com)" /index.html /app.js /logo.png
  sleep 3
  lab_exec sm-alice ping -c 3 -i 0.5 -W 1 10.66.0.1 >/dev/null
  sleep 15
  browse alice https news.example.net "$(resolve alice news.example.net)" /index.html
  sleep 25
  browse alice http files.corp.lab.example "$(resolve alice files.corp.lab.example)" /q3-report.pdf
  sleep 10
  browse alice https www.example.com "$(resolve alice www.example.com)" /index.html
  sleep 12
  # The projects share on the file server, by the address DNS gives.
  local files
  files="$(resolve alice files.corp.lab.example)"
  lab_exec sm-alice smbclient -L "//$files" -U "alice%$SMB_PASSWORD" -m SMB3 >"$LAB_TMP/smb-list.txt" 2>&1 ||
    lab_log "alice: listing the shares failed: $(cat "$LAB_TMP/smb-list.txt")"
  printf 'Budget review: travel down 4%%, training up 2%%.\n' >"$LAB_TMP/meeting-notes.txt"
  lab_exec sm-alice smbclient "//$files/projects" -U "alice%$SMB_PASSWORD" -m SMB3 \
    -c "get budget-2026.xlsx $LAB_TMP/budget-copy.xlsx; put $LAB_TMP/meeting-notes.txt meeting-notes.txt" \
    >"$LAB_TMP/smb-files.txt" 2>&1 || lab_log "alice: the projects share failed: $(cat "$LAB_TMP/smb-files.txt")"
}

story_bob() {
  sleep 10
  browse bob https www.example.com "$(resolve bob www.example.com)" /index.html /app.js
  sleep 30
  local v6
  v6="$(resolve bob www.example.com AAAA)"
  lab_exec sm-bob ping -6 -c 3 -i 0.5 -W 1 "$v6" >/dev/null
  lab_exec sm-bob curl -sS -k -6 -o /dev/null --max-time 10 -A 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' \
    --resolve "www.example.com:443:[$v6]" https://www.example.com/index.html
  sleep 20
  browse bob https www.example.com "$(resolve bob www.example.com)" /index.html
  sleep 5
  browse bob https news.example.net "$(resolve bob news.example.net)" /index.html
  sleep 4
  lab_exec sm-bob ssh -F /dev/null -i "$LAB_TMP/bob_key" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 "root@$(resolve bob files.corp.lab.example)" uptime \
    >"$LAB_TMP/ssh-uptime.txt" 2>&1 || lab_log "bob: ssh failed: $(cat "$LAB_TMP/ssh-uptime.txt")"
  sleep 6
  inventory_agent "$(resolve bob files.corp.lab.example)"
}

# Bob's asset inventory agent: fetches its configuration with a User-Agent
# that contains a tab and a 0x01 byte, then sends its heartbeat as bare JSON on
# port 80 without a request line; the server responds with 400.
inventory_agent() {
  local address="$1"
  lab_exec sm-bob python3 - "$address" "$AGENT_UA" <<'EOF'
import socket, sys
address, agent = sys.argv[1], sys.argv[2]
def exchange(payload):
    with socket.create_connection((address, 80), timeout=5) as connection:
        connection.sendall(payload)
        while connection.recv(65536):
            pass
exchange(b"GET /agent/config.json HTTP/1.1\r\nHost: files.corp.lab.example\r\nUser-Agent: "
         + agent.encode("latin-1") + b"\r\nAccept: */*\r\nConnection: close\r\n\r\n")
exchange(b'{"agent":"AssetAgent/3.2","host":"bob-pc","status":"idle"}\r\n\r\n')
EOF
}

story_carol() {
  local address deadline=$((SECONDS + DURATION_S - 8)) jitter_ms
  address="$(resolve carol updates.example.org)"
  while [ "$SECONDS" -lt "$deadline" ]; do
    lab_exec sm-carol curl -sS -k -o /dev/null --max-time 4 -A 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' \
      --resolve "updates.example.org:443:$address" -X POST --data 'id=7f3a9c&s=idle' \
      https://updates.example.org/api/v2/check || true
    jitter_ms=$((RANDOM % 1500))
    sleep "$((BEACON_INTERVAL_S + jitter_ms / 1000)).$(printf '%03d' $((jitter_ms % 1000)))"
  done
}

story_dave() {
  sleep 20
  lab_exec sm-dave ping -c 2 -i 0.5 -W 1 "$FILES" >/dev/null
  sleep 2
  lab_exec sm-dave nmap -sT -Pn -n -p 1-200 --max-retries 0 -T4 "$FILES" >"$LAB_TMP/nmap.txt" 2>&1
}

# erin joins after the detectors' opening period (a quarter of the capture),
# so her laptop is a device first seen mid-capture.
story_erin() {
  sleep 50
  lab_spawn sm-erin dhclient dhclient -d -4 -v -cf "$LAB_TMP/dhclient.conf" -lf "$LAB_TMP/dhclient.leases" \
    -pf "$LAB_TMP/dhclient.pid" -sf "$LAB_TMP/dhclient-hook" eth0
  local tries=0
  until lab_exec sm-erin ip -4 route show default | grep -q via; do
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || lab_die "erin got no DHCP lease: $(cat "$LAB_TMP/dhclient.log")"
    sleep 0.1
  done
  sleep 2
  local address
  address="$(resolve erin www.example.com)"
  # Chromium forced onto HTTP/3; the firewall drops UDP 443 and the handshake times out.
  lab_exec sm-erin env HOME="$LAB_TMP/chrome-home" timeout 20 chromium --headless --no-sandbox --disable-gpu \
    --user-data-dir="$LAB_TMP/chrome-profile" --no-first-run --disable-sync --disable-default-apps \
    --disable-background-networking --disable-component-update --disable-breakpad \
    --enable-quic --origin-to-force-quic-on=www.example.com:443 \
    --host-resolver-rules="MAP www.example.com $address, MAP * ~NOTFOUND" \
    --dump-dom https://www.example.com/ >"$LAB_TMP/chromium.txt" 2>&1 || true
  grep -q 'ERR_QUIC' "$LAB_TMP/chromium.txt" || lab_log "erin: chromium did not fail on QUIC: $(tail -n 3 "$LAB_TMP/chromium.txt")"
  sleep 2
  lab_exec sm-erin curl -sS -k -o /dev/null --max-time 10 -A "$CHROME_UA" \
    --resolve "www.example.com:443:$address" https://www.example.com/index.html || lab_log "erin: HTTPS failed"
}

# dhclient is started from erin's story, a subshell, so lab_cleanup does not
# know its pid: stop it by its pid file first.
sample_cleanup() {
  if [ -n "$LAB_TMP" ] && [ -s "$LAB_TMP/dhclient.pid" ]; then
    kill "$(cat "$LAB_TMP/dhclient.pid")" 2>/dev/null || true
  fi
  lab_cleanup
}

main() {
  lab_require ip ethtool tcpdump editcap nft ping nginx dnsmasq socat nmap curl dig openssl python3 \
    smbd smbclient smbpasswd dhclient chromium timeout sshd ssh ssh-keygen
  trap sample_cleanup EXIT
  trap 'exit 130' INT TERM
  lab_make_tmp
  mkdir -p "$(dirname "$OUT")"
  build_lab
  write_content
  write_samba
  write_sshd
  write_dhclient
  start_services

  local raw="$LAB_TMP/sample.pcap"
  # MLD reports (IPv6 hop-by-hop header, next header 0) are not part of the story.
  lab_capture_start sm-core br0 "$raw" 'not (ip6 and ip6[6] == 0)'
  local pids=() story
  for story in story_alice story_bob story_carol story_dave story_erin; do
    "$story" &
    pids+=("$!")
    LAB_PIDS+=("$!")
  done
  local pid
  for pid in "${pids[@]}"; do wait "$pid"; done
  sleep 2
  lab_capture_stop
  lab_log "nmap: $(grep -c '/tcp' "$LAB_TMP/nmap.txt" || true) port lines"
  editcap -F pcapng "$raw" "$OUT"
  chmod 644 "$OUT"
  lab_log "sample written to $OUT ($(stat -c %s "$OUT") bytes)"
}

main
