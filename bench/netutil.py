"""The bench's two small servers, both on 127.0.0.1 and both threads of
the bench process: a TCP proxy in front of Pebble that counts the
connections clients open, and a static web server for http-01 proofs."""
import http.server
import os
import socket
import threading


class CountingProxy:
    """Forwards every connection to 127.0.0.1:target byte for byte (TLS
    passes through untouched) and counts the connections accepted."""

    def __init__(self, target_port):
        self.target = target_port
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(512)
        self.port = self.lsock.getsockname()[1]
        self.accepted = 0
        self.lock = threading.Lock()
        self.open = set()
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def count(self):
        with self.lock:
            return self.accepted

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.lsock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(
                    ("127.0.0.1", self.target), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.accepted += 1
                self.open.update((client, upstream))
            pair = {"left": 2}
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump,
                                 args=(src, dst, client, upstream, pair),
                                 daemon=True).start()

    def _pump(self, src, dst, a, b, pair):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with self.lock:
            pair["left"] -= 1
            last = pair["left"] == 0
            if last:
                self.open.discard(a)
                self.open.discard(b)
        if last:
            a.close()
            b.close()

    def close(self):
        self.closed = True
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        with self.lock:
            socks = list(self.open)
            self.open.clear()
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.thread.join(timeout=5)


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
