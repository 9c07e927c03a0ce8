"""Start and stop Debian's nginx on loopback as a plain web server for a
webroot: one folder per host name, as the default http-01-echo hooks
write them ({{ env.HTTP_ROOT }}/{{ identifier }}/.well-known/...).

Used by the tests and by scripts/demo.py.  nginx runs in the foreground
(`daemon off;`) with its own prefix, configuration, PID and log files in
the given folder, and is stopped by its PID.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess

from pebble import Exited, free_port, wait_until


def find_nginx():
    """The nginx program, or None."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.path.exists(p)),
        None)


def alive(pid):
    """True while pid is a running (not zombie) process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


class Nginx:
    """nginx on 127.0.0.1:port serving webroot/$host."""

    def __init__(self, folder, port, webroot):
        self.folder = folder
        self.port = port
        self.webroot = webroot
        os.makedirs(os.path.join(folder, "logs"), exist_ok=True)
        self.conf = os.path.join(folder, "nginx.conf")
        self.error_log = os.path.join(folder, "logs", "error.log")
        self.access_log = os.path.join(folder, "logs", "access.log")
        # As root, the workers would switch to "nobody", which may not
        # enter a private temporary folder: keep them as this user.
        user = ""
        if os.geteuid() == 0:
            user = f"user {pwd.getpwuid(os.getuid()).pw_name};"
        temps = "\n".join(
            f"    {k}_temp_path {folder}/{k}_temp;"
            for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        with open(self.conf, "w") as f:
            f.write(f"""# nginx for {folder}
{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 64; }}
http {{
    access_log {self.access_log};
{temps}
    default_type text/plain;
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        root {webroot}/$host;
    }}
}}
""")
        self.proc = None
        self.workers = []

    def start(self, timeout=20):
        nginx = find_nginx()
        if nginx is None:
            raise FileNotFoundError("nginx is not installed")
        # -e: the error log before the configuration is read (the
        # compiled-in one may not be writable).
        self._spawn([nginx, "-p", self.folder + "/", "-e", self.error_log,
                     "-c", self.conf])

        def ready():
            if self.proc.poll() is not None:
                raise Exited("nginx exited:\n" + self.log())
            # Workers come only once the master listens: a connection
            # alone may reach another server that took the port.
            if not self.children():
                return False
            with socket.create_connection(("127.0.0.1", self.port), 1):
                return True
        try:
            wait_until(ready, timeout, "nginx")
        except BaseException:
            self.stop()
            raise
        self.workers = self.children()
        return self

    @classmethod
    def on_free_port(cls, folder, webroot, attempts=5):
        """Started on a port that was free a moment ago; on another one
        when something took it first (nginx cannot listen, and exits).
        Start nginx before the servers that take ports of their own."""
        for i in range(attempts):
            n = cls(folder, free_port(), webroot)
            try:
                return n.start()
            except Exited:
                if i == attempts - 1:
                    raise
            except BaseException:
                # A signal between the spawn and start()'s own clean-up.
                n.stop()
                raise

    def _spawn(self, argv):
        """Starts the master and sets self.proc (one step, for a caller
        that defers signals around it)."""
        with open(os.path.join(self.folder, "stderr"), "ab") as out:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT)

    def log(self):
        text = ""
        for path in (os.path.join(self.folder, "stderr"), self.error_log):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()[-3000:]
            except OSError:
                pass
        return text

    def children(self):
        """PIDs of the master's children (its workers)."""
        kids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(") ", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.proc.pid:
                kids.append(int(entry))
        return kids

    def stop(self, timeout=15):
        """SIGQUIT (graceful shutdown) to the master, by its PID, then
        waits for it and its workers.  Returns the workers' PIDs."""
        if self.proc is None:
            return []
        kids = sorted(set(self.workers) | set(
            self.children() if self.proc.poll() is None else []))
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        wait_until(lambda: not any(alive(k) for k in kids), timeout,
                   "nginx workers exit")
        return kids
