"""The bench's static web server for http-01 proofs, on 127.0.0.1, a
thread of the bench process (the proxy that counts connections is
tests/integration/relay.py)."""
import http.server
import os
import threading


class WebrootServer:
    """Serves WEBROOT/.well-known/acme-challenge/TOKEN for any Host, as a
    user's web server serves a webroot: the http-01 validation target of
    Pebble (its httpPort)."""

    def __init__(self, port, webroot):
        self.webroot = webroot
        os.makedirs(os.path.join(webroot, ".well-known", "acme-challenge"),
                    exist_ok=True)
        root = webroot

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                prefix = "/.well-known/acme-challenge/"
                body = None
                if path.startswith(prefix):
                    token = path[len(prefix):]
                    if token and "/" not in token and token not in (".",
                                                                  ".."):
                        try:
                            with open(os.path.join(root, prefix[1:],
                                                   token), "rb") as f:
                                body = f.read()
                        except OSError:
                            body = None
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
