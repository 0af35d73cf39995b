#!/usr/bin/env python3
"""Send ICMP echo requests with random payloads, as an ICMP tunnel does.

usage: send-icmp-tunnel.py DESTINATION COUNT MIN_BYTES MAX_BYTES INTERVAL_SECONDS

Each request carries os.urandom bytes of a random size between MIN_BYTES and
MAX_BYTES (the tunnelled data); the kernel of the destination echoes them
back. Runs inside a lab namespace only; needs root for the raw socket.
"""
import os
import random
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def main() -> None:
    destination, count, low, high, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    identifier = os.getpid() & 0xFFFF
    for sequence in range(1, count + 1):
        payload = os.urandom(random.randint(low, high))
        header = struct.pack("!BBHHH", 8, 0, 0, identifier, sequence)
        header = struct.pack("!BBHHH", 8, 0, checksum(header + payload), identifier, sequence)
        sock.sendto(header + payload, (destination, 0))
        time.sleep(interval)


if __name__ == "__main__":
    main()
