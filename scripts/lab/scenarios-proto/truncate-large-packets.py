#!/usr/bin/env python3
"""Cut every packet longer than LIMIT bytes to SNAP bytes in a classic pcap.

usage: truncate-large-packets.py IN.pcap OUT.pcap LIMIT SNAP

Bulk transfer segments are cut while handshakes (ClientHello, certificates)
stay whole, so a capture of a few megabytes of TLS keeps its server names
and fits a small fixture. The original length field is kept, and flows count
bytes from TCP sequence numbers, so sizes stay right.
"""
import struct
import sys


def main() -> None:
    source, target, limit, snap = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = open(source, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        sys.exit(f"{source}: not a classic pcap (magic {magic.hex()})")
    out = bytearray(data[:24])
    offset = 24
    while offset + 16 <= len(data):
        seconds, fraction, captured, original = struct.unpack(order + "IIII", data[offset:offset + 16])
        body = data[offset + 16:offset + 16 + captured]
        if len(body) != captured:
            sys.exit(f"{source}: record at byte {offset} claims {captured} bytes, {len(body)} present")
        if captured > limit:
            body = body[:snap]
        out += struct.pack(order + "IIII", seconds, fraction, len(body), original) + body
        offset += 16 + captured
    open(target, "wb").write(out)


if __name__ == "__main__":
    main()
