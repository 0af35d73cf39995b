#!/usr/bin/env python3
"""A small web server for the check-in scenario, bound to one lab address.

A GET returns a small HTML page and sets a session cookie. A POST reads
the body and returns a few bytes, as a check-in panel or an API does.

    checkin-server.py ADDRESS [PORT]
"""
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "lab-web/1.0"

    def log_message(self, format, *args):  # noqa: A002 (the base class names it so)
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    def do_GET(self):
        body = b"<!doctype html><form method=post action=/comment.php><input name=q></form>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Set-Cookie", "session=4f9a1c; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"ok\n" if self.path.startswith("/gate.php") else b'{"status":"ok"}\n'
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


address = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 80
http.server.ThreadingHTTPServer((address, port), Handler).serve_forever()
