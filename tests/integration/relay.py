"""A byte-for-byte relay from 127.0.0.1 to another socket (TLS passes
through untouched), made of threads of the process that starts it.  The
tests carry Pebble's tls-alpn-01 connections to tacd's Unix socket with it;
the bench puts one in front of Pebble to count the connections clients
open.  Stopping it closes exactly the sockets it opened."""
import socket
import threading


def tcp(port):
    """An upstream: 127.0.0.1:port."""
    return lambda: socket.create_connection(("127.0.0.1", port), timeout=10)


def unix(path):
    """An upstream: the Unix socket at path."""
    def connect():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except OSError:
            s.close()
            raise
        return s
    return connect


class Relay:
    """Accepts connections on 127.0.0.1:port (0: a free port, in .port)
    and pipes each to a new upstream connection, made at accept time by
    connect() (a client whose upstream cannot be reached is closed)."""

    def __init__(self, connect, port=0):
        self.connect = connect
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", port))
        self.lsock.listen(512)
        self.port = self.lsock.getsockname()[1]
        self.relayed = 0
        self.lock = threading.Lock()
        self.open = set()
        self.closed = False
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def count(self):
        """Connections relayed so far."""
        with self.lock:
            return self.relayed

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.lsock.accept()
            except OSError:
                return
            try:
                upstream = self.connect()
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                if s.family == socket.AF_INET:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.relayed += 1
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
        self.acceptor.join(timeout=10)
        with self.lock:
            socks = list(self.open)
            self.open.clear()
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        assert not self.acceptor.is_alive()
