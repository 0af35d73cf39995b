#!/usr/bin/env python3
"""Peers for the analyzer captures that Debian's packages do not provide here.

  dhcp-client  a DHCP client without an address: DISCOVER, OFFER, REQUEST, ACK
               on one interface, from 0.0.0.0:68 to the broadcast address
  ssh-banner   an SSH server stand-in: accept one connection, send an SSH
               identification line and a KEXINIT packet, read what the
               client sends (its banner and KEXINIT) and close

Each subcommand does one bounded exchange and exits. The lab scripts run them
inside network namespaces, so every address here is a lab address.
"""

import argparse
import os
import socket
import struct
import sys
import time

DHCP_MAGIC = b"\x63\x82\x53\x63"


def build_dhcp(message_type, xid, mac, requested=None, server=None):
    header = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, 0x8000)  # op, htype, hlen, hops, xid, secs, broadcast flag
    header += b"\x00" * 16  # ciaddr, yiaddr, siaddr, giaddr
    header += mac + b"\x00" * 10 + b"\x00" * 64 + b"\x00" * 128  # chaddr, sname, file
    options = bytes([53, 1, message_type])
    options += bytes([61, 7, 1]) + mac
    options += bytes([12, 6]) + b"lab-ws"
    options += bytes([60, 8]) + b"tideline"
    options += bytes([55, 4, 1, 3, 6, 15])
    if requested is not None:
        options += bytes([50, 4]) + socket.inet_aton(requested)
    if server is not None:
        options += bytes([54, 4]) + socket.inet_aton(server)
    return header + DHCP_MAGIC + options + b"\xff"


def read_reply(sock, xid, want_type, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.05, deadline - time.time()))
        try:
            data, _ = sock.recvfrom(2048)
        except socket.timeout:
            break
        if len(data) < 240 or struct.unpack("!I", data[4:8])[0] != xid:
            continue
        options = data[240:]
        found_type, server, i = None, None, 0
        while i + 1 < len(options) and options[i] != 255:
            code, length = options[i], options[i + 1]
            value = options[i + 2 : i + 2 + length]
            if code == 53 and length == 1:
                found_type = value[0]
            if code == 54 and length == 4:
                server = socket.inet_ntoa(value)
            i += 2 + length if code != 0 else 1
        if found_type == want_type:
            return socket.inet_ntoa(data[16:20]), server
    sys.exit(f"dhcp-client: no DHCP message type {want_type} for xid {xid:#x} within {timeout} s")


def dhcp_client(args):
    mac = bytes.fromhex(args.mac.replace(":", ""))
    xid = int(args.xid, 16)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.interface.encode())
    sock.bind(("0.0.0.0", 68))
    sock.sendto(build_dhcp(1, xid, mac), ("255.255.255.255", 67))
    offered, server = read_reply(sock, xid, 2, args.timeout)
    sock.sendto(build_dhcp(3, xid, mac, requested=offered, server=server), ("255.255.255.255", 67))
    assigned, _ = read_reply(sock, xid, 5, args.timeout)
    print(f"dhcp-client: {assigned} from {server}")


def ssh_banner(args):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(1)
    listener.settimeout(args.timeout)
    connection, _ = listener.accept()
    connection.settimeout(args.timeout)
    connection.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    # A KEXINIT with fixed name-lists (RFC 4253 section 7.1), padded to a multiple of 8.
    lists = [b"curve25519-sha256", b"ssh-ed25519", b"aes128-ctr", b"aes128-ctr", b"hmac-sha2-256", b"hmac-sha2-256",
             b"none", b"none", b"", b""]
    body = bytes([20]) + os.urandom(16) + b"".join(struct.pack("!I", len(item)) + item for item in lists) + b"\x00" + b"\x00" * 4
    padding = 8 - (len(body) + 5) % 8
    padding += 8 if padding < 4 else 0
    connection.sendall(struct.pack("!IB", len(body) + padding + 1, padding) + body + b"\x00" * padding)
    received = b""
    deadline = time.time() + args.timeout
    while len(received) < 4096 and time.time() < deadline:
        try:
            chunk = connection.recv(4096)
        except socket.timeout:
            break
        if not chunk:
            break
        received += chunk
        if received.count(b"\n") >= 1 and len(received) > 200:
            break
    connection.close()
    listener.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    dhcp = commands.add_parser("dhcp-client")
    dhcp.add_argument("--interface", required=True)
    dhcp.add_argument("--mac", required=True)
    dhcp.add_argument("--xid", default="3c4d5e6f", help="transaction id in hex")
    dhcp.add_argument("--timeout", type=float, default=5.0)
    ssh = commands.add_parser("ssh-banner")
    ssh.add_argument("--host", required=True)
    ssh.add_argument("--port", type=int, required=True)
    ssh.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    if args.command == "dhcp-client":
        dhcp_client(args)
    else:
        ssh_banner(args)


if __name__ == "__main__":
    main()
