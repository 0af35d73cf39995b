#!/usr/bin/env bash
# Record the analyzer test captures in test/fixtures/analyzers/.
#
# Builds a three-namespace lab: tl-an-cli and tl-an-srv joined by an
# addressed link for HTTP, HTTPS, SSH and DNS, and tl-an-dhc, a client with
# no address at all (so its DHCP messages come from 0.0.0.0), linked to
# tl-an-srv. Services run in tl-an-srv: nginx on 80
# (HTTP) and 8443 (HTTPS, self-signed), dnsmasq for DNS on 53 and DHCP, and
# an SSH stand-in on 8080 (scripts/lab/analyzers-peers.py; Debian's sshd is
# not installed here, and the banner and KEXINIT are what the analyzers read).
# Everything is removed on exit, even on failure.
#
# Captures:
#   analyzers-web.pcap   curl HTTP GET/POST to :80, curl HTTPS to :8443, ssh to :8080
#   analyzers-dns.pcap   dig A, AAAA, MX, TXT, SRV, CNAME, NXDOMAIN over UDP, and A over TCP
#   analyzers-dhcp.pcap  DISCOVER, OFFER, REQUEST, ACK from a client without an address
#
# Usage: sudo scripts/lab/analyzers-record.sh [OUTPUT_DIR]
# Then: npx tsx scripts/lab/analyzers-write-expected.ts [OUTPUT_DIR]
#
# Debian packages: iproute2 ethtool tcpdump nginx-light dnsmasq-base curl
# dnsutils openssh-client openssl python3

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=lab-lib.sh
source "$HERE/lab-lib.sh"

OUT="${1:-$ROOT/test/fixtures/analyzers}"
PEERS="$HERE/analyzers-peers.py"
CLI=an-cli
SRV=an-srv
DHC=an-dhc
CLI4=10.66.0.10
SRV4=198.51.100.20
CLI6=2001:db8:66::10
SRV6=2001:db8:51::20
DHCP_SRV4=10.66.1.1
CLI_MAC=02:00:0a:42:00:0a
SRV_MAC=02:00:c6:33:64:14
DHCP_CLI_MAC=02:00:0a:42:01:32
DHCP_SRV_MAC=02:00:0a:42:01:01
IP_ONLY='(ip or ip6) and not (ip6 and src net fe80::/10) and not ip6 multicast'

build_lab() {
  lab_add_ns "$CLI"
  lab_add_ns "$SRV"
  lab_link "$CLI" anc0 "$CLI_MAC" "$SRV" ans0 "$SRV_MAC"
  lab_exec "$CLI" ip addr add "$CLI4/32" dev anc0
  lab_exec "$CLI" ip addr add "$CLI6/128" dev anc0 nodad
  lab_exec "$CLI" ip route add "$SRV4/32" dev anc0
  lab_exec "$CLI" ip -6 route add "$SRV6/128" dev anc0
  lab_exec "$SRV" ip addr add "$SRV4/32" dev ans0
  lab_exec "$SRV" ip addr add "$SRV6/128" dev ans0 nodad
  lab_exec "$SRV" ip route add "$CLI4/32" dev ans0
  lab_exec "$SRV" ip -6 route add "$CLI6/128" dev ans0
  # Static neighbours keep ARP and neighbour discovery out of the captures.
  lab_exec "$CLI" ip neigh add "$SRV4" lladdr "$SRV_MAC" dev anc0 nud permanent
  lab_exec "$CLI" ip -6 neigh add "$SRV6" lladdr "$SRV_MAC" dev anc0 nud permanent
  lab_exec "$SRV" ip neigh add "$CLI4" lladdr "$CLI_MAC" dev ans0 nud permanent
  lab_exec "$SRV" ip -6 neigh add "$CLI6" lladdr "$CLI_MAC" dev ans0 nud permanent

  # The DHCP link: the client namespace has no address until the exchange ends.
  lab_add_ns "$DHC"
  lab_link "$DHC" and0 "$DHCP_CLI_MAC" "$SRV" ads0 "$DHCP_SRV_MAC"
  lab_exec "$SRV" ip addr add "$DHCP_SRV4/24" dev ads0
}

write_configuration() {
  mkdir -p "$LAB_TMP/www"
  printf '<!doctype html><title>Lab</title><p>%s</p>\n' "$(printf 'flow %.0s' $(seq 1 200))" >"$LAB_TMP/www/index.html"
  printf 'name,bytes\nweb,1200\n' >"$LAB_TMP/www/report.csv"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=www.lab.example \
    -addext 'subjectAltName=DNS:www.lab.example' \
    -keyout "$LAB_TMP/key.pem" -out "$LAB_TMP/cert.pem" 2>/dev/null
  cat >"$LAB_TMP/nginx.conf" <<CONF
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
  types { text/html html; text/csv csv; }
  gzip on;
  gzip_types text/csv;
  gzip_min_length 1;
  ssl_certificate $LAB_TMP/cert.pem;
  ssl_certificate_key $LAB_TMP/key.pem;
  server { listen $SRV4:80; listen $SRV4:8443 ssl; server_name www.lab.example; root $LAB_TMP/www;
           location /submit { return 201 'stored\n'; } }
}
CONF
}

start_services() {
  lab_spawn "$SRV" nginx nginx -c "$LAB_TMP/nginx.conf" -g 'daemon off;'
  lab_spawn "$SRV" dnsmasq dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$SRV4" --listen-address="$DHCP_SRV4" --bind-interfaces --port=53 --pid-file= \
    --local=/lab.example/ --local-ttl=300 \
    --host-record=www.lab.example,198.51.100.20,2001:db8:51::20 \
    --cname=intranet.lab.example,www.lab.example \
    --mx-host=lab.example,mail.lab.example,10 \
    --txt-record=lab.example,"v=spf1 -all","tideline lab" \
    --srv-host=_ldap._tcp.lab.example,dc1.lab.example,389,0,100 \
    --dhcp-range=10.66.1.50,10.66.1.60,255.255.255.0,600 --dhcp-option=option:domain-name,lab.example \
    --dhcp-authoritative --dhcp-leasefile="$LAB_TMP/leases"
  sleep 1
}

record_web() {
  lab_capture_start "$CLI" anc0 "$OUT/analyzers-web.pcap" "$IP_ONLY"
  lab_exec "$CLI" curl -s -o /dev/null -A 'tideline-lab/1.0' -e 'http://www.lab.example/start' \
    -H 'Host: www.lab.example' "http://$SRV4/index.html"
  lab_exec "$CLI" curl -s -o /dev/null --compressed -H 'Host: www.lab.example' "http://$SRV4/report.csv"
  lab_exec "$CLI" curl -s -o /dev/null -H 'Host: www.lab.example' -d 'user=ana&note=hello%20lab' "http://$SRV4/submit?x=%41"
  lab_exec "$CLI" curl -s -o /dev/null -k --resolve "www.lab.example:8443:$SRV4" https://www.lab.example:8443/index.html
  lab_spawn "$SRV" ssh-banner python3 "$PEERS" ssh-banner --host "$SRV4" --port 8080 --timeout 5
  sleep 0.5
  lab_exec "$CLI" ssh -p 8080 -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=5 "lab@$SRV4" true >/dev/null 2>&1 || true
  lab_capture_stop
}

record_dns() {
  lab_capture_start "$CLI" anc0 "$OUT/analyzers-dns.pcap" "$IP_ONLY"
  local query
  for query in 'www.lab.example A' 'www.lab.example AAAA' 'lab.example MX' 'lab.example TXT' \
    '_ldap._tcp.lab.example SRV' 'intranet.lab.example A' 'missing.lab.example A'; do
    # shellcheck disable=SC2086
    lab_exec "$CLI" dig +tries=1 +time=2 +nocookie @"$SRV4" $query >/dev/null
  done
  lab_exec "$CLI" dig +tcp +tries=1 +time=2 +nocookie @"$SRV4" www.lab.example A >/dev/null
  lab_capture_stop
}

record_dhcp() {
  lab_capture_start "$DHC" and0 "$OUT/analyzers-dhcp.pcap" 'udp port 67 or udp port 68'
  lab_exec "$DHC" python3 "$PEERS" dhcp-client --interface and0 --mac "$DHCP_CLI_MAC" --xid 3c4d5e6f
  lab_capture_stop
}

main() {
  lab_require ip ethtool tcpdump nginx dnsmasq curl dig ssh openssl python3
  mkdir -p "$OUT"
  lab_make_tmp
  trap lab_cleanup EXIT
  build_lab
  write_configuration
  start_services
  record_web
  record_dns
  record_dhcp
  lab_log "wrote $OUT/analyzers-web.pcap, analyzers-dns.pcap and analyzers-dhcp.pcap"
}

main "$@"
