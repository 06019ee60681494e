"""A small HTTP server on 127.0.0.1 whose answers a test scripts, for the
misbehaviour the emulator does not have: lying totals, cycles, hostile ids
and names, echoed secrets, dropped connections.

    def handler(req):            # req: method, path (raw), query, headers, body
        return 200, "application/json", {"ok": True}
    s = Server(handler)          # s.url, s.requests, s.close()

A handler returns (status, content_type, body) or (status, content_type,
body, headers); body is a str, bytes, or anything json.dumps takes. DROP
closes the connection without an answer. Every request is recorded before
the handler runs, with its path exactly as sent (not decoded).
"""

import http.server
import json
import socket
import threading
import urllib.parse

DROP = object()


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path          # raw: %2E stays %2E
        self.query = query        # decoded, one value per name
        self.headers = headers    # case-insensitive (email.message)
        self.body = body          # bytes

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "%s %s" % (self.method, self.path)


class Server:
    def __init__(self, handler):
        outer = self
        self.requests = []
        self.lock = threading.Lock()

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query,
                                                keep_blank_values=True))
                req = Request(self.command, u.path, q, self.headers, body)
                with outer.lock:
                    outer.requests.append(req)
                answer = handler(req)
                if answer is DROP:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                status, ctype, data = answer[:3]
                extra = answer[3] if len(answer) > 3 else {}
                if not isinstance(data, (bytes, str)):
                    data = json.dumps(data)
                if isinstance(data, str):
                    data = data.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    self.close_connection = True  # the client went away

            do_GET = do_DELETE = do_POST = do_PATCH = do_PUT = do

        class Quiet(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that hangs up is no error here

        self.httpd = Quiet(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def seen(self, method=None, path_prefix=None):
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r.method == method)
                    and (path_prefix is None
                         or r.path.startswith(path_prefix))]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
