#!/usr/bin/env python3
"""Small TCP and UDP peers whose endings the capture lab controls exactly.

Each subcommand does one bounded exchange and exits. The lab scripts run them
inside network namespaces, so the addresses given here are lab addresses.

  serve   accept COUNT connections; answer each request, then either wait for
          the client to close (FIN) or reset the connection (RST after data)
  request connect, send a request, read the reply, then close with FIN or
          abort with RST (SO_LINGER 0)
  attempt connect once with a timeout and report refused or timed out
  send-udp send one datagram and wait briefly for an answer
"""

import argparse
import socket
import struct
import sys
import time

REPLY = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 24\r\n\r\ntideline lab reply data\n"
REQUEST = b"GET /status HTTP/1.0\r\nHost: lab.example\r\n\r\n"


def family_of(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def set_linger_zero(sock: socket.socket) -> None:
    # SO_LINGER on with a zero timeout makes close() send RST and drop the
    # connection instead of the FIN handshake.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def serve(args: argparse.Namespace) -> int:
    listener = socket.socket(family_of(args.host), socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(8)
    listener.settimeout(args.timeout)
    print(f"listening on {args.host} port {args.port}", flush=True)
    for _ in range(args.count):
        conn, _peer = listener.accept()
        conn.settimeout(args.timeout)
        read_request(conn)
        conn.sendall(REPLY)
        if args.ending == "reset":
            # Leave time for the client's ACK of the reply, so the capture
            # shows data, ACK, then the server's RST in that order.
            time.sleep(0.2)
            set_linger_zero(conn)
            conn.close()
            continue
        # Wait for the client's FIN (or RST), then close our side.
        try:
            while conn.recv(4096):
                pass
        except ConnectionResetError:
            pass
        conn.close()
    listener.close()
    return 0


def request(args: argparse.Namespace) -> int:
    sock = socket.socket(family_of(args.host), socket.SOCK_STREAM)
    sock.settimeout(args.timeout)
    sock.connect((args.host, args.port))
    sock.sendall(REQUEST)
    received = b""
    try:
        while len(received) < len(REPLY):
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    except ConnectionResetError:
        print("connection reset by server", flush=True)
    print(f"received {len(received)} bytes", flush=True)
    time.sleep(0.2)
    if args.ending == "abort":
        set_linger_zero(sock)
        sock.close()
        return 0
    if args.ending == "wait-reset":
        # The server resets after its reply; reading again sees the RST.
        try:
            sock.recv(4096)
        except ConnectionResetError:
            print("connection reset by server", flush=True)
        sock.close()
        return 0
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(4096):
        pass
    sock.close()
    return 0


def attempt(args: argparse.Namespace) -> int:
    sock = socket.socket(family_of(args.host), socket.SOCK_STREAM)
    sock.settimeout(args.timeout)
    try:
        sock.connect((args.host, args.port))
        print("connected", flush=True)
    except ConnectionRefusedError:
        print("refused", flush=True)
    except socket.timeout:
        print("timed out", flush=True)
    sock.close()
    return 0


def send_udp(args: argparse.Namespace) -> int:
    sock = socket.socket(family_of(args.host), socket.SOCK_DGRAM)
    sock.settimeout(args.timeout)
    sock.sendto(args.payload.encode(), (args.host, args.port))
    try:
        data = sock.recv(4096)
        print(f"answer {len(data)} bytes", flush=True)
    except socket.timeout:
        print("no answer", flush=True)
    except ConnectionRefusedError:
        # Linux reports the ICMP port unreachable as ECONNREFUSED on recv.
        print("port unreachable", flush=True)
    sock.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--ending", choices=["fin", "reset"], default="fin")
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(run=serve)

    p = sub.add_parser("request")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ending", choices=["fin", "abort", "wait-reset"], default="fin")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(run=request)

    p = sub.add_parser("attempt")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=3.5)
    p.set_defaults(run=attempt)

    p = sub.add_parser("send-udp")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--payload", default="tideline lab datagram")
    p.add_argument("--timeout", type=float, default=1.0)
    p.set_defaults(run=send_udp)

    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
