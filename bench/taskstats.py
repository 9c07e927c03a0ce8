"""Per-process CPU time and peak RSS of every process that exits, from the
kernel's taskstats interface (generic netlink, root only).

getrusage()/wait4() cannot tell a client's own cost from its children's:
wait4() adds the children the client reaped to the client's figures, and
ru_maxrss is the larger of the two peaks.  taskstats sends one record per
exiting thread, with its own user and system time in microseconds, its
parent's PID and the high-water RSS of its memory, so a run's process tree
can be rebuilt and each process counted on its own.

    ts = TaskStats()            # None-like failure: raises OSError
    ... run things ...
    procs = ts.tree(root_pid)   # {tgid: Proc} of root_pid and descendants
    ts.close()
"""
import os
import socket
import struct
import threading
import time

NETLINK_GENERIC = 16
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
TASKSTATS_CMD_GET = 1
TASKSTATS_CMD_NEW = 2
TASKSTATS_TYPE_PID = 1
TASKSTATS_TYPE_STATS = 3
TASKSTATS_TYPE_AGGR_PID = 4
TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3
SO_RCVBUFFORCE = 33

# Offsets in struct taskstats (linux/taskstats.h, checked with offsetof).
OFF_COMM, OFF_PID, OFF_PPID = 80, 128, 132
OFF_UTIME, OFF_STIME, OFF_HIWATER = 152, 160, 200
OFF_TGID = 368          # version >= 12


def _attr(atype, payload):
    length = 4 + len(payload)
    return (struct.pack("HH", length, atype) + payload +
            b"\0" * ((4 - length % 4) % 4))


def _attrs(data):
    """(type, payload) of each netlink attribute in data."""
    off = 0
    while off + 4 <= len(data):
        length, atype = struct.unpack_from("HH", data, off)
        if length < 4:
            break
        yield atype & 0x3fff, data[off + 4:off + length]
        off += (length + 3) & ~3


class Proc:
    """One process (thread group), summed over its threads."""

    def __init__(self, tgid):
        self.tgid = tgid
        self.ppid = 0
        self.comm = ""
        self.utime_us = 0
        self.stime_us = 0
        self.hiwater_kb = 0

    @property
    def cpu_us(self):
        return self.utime_us + self.stime_us

    def __repr__(self):
        return (f"Proc({self.tgid} {self.comm} ppid={self.ppid} "
                f"cpu={self.cpu_us}us rss={self.hiwater_kb}kB)")


class TaskStats:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE,
                                 64 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                 8 << 20)
        self.sock.bind((0, 0))
        self.seq = 0
        self.family = self._family_id()
        cpus = os.cpu_count() or 1
        mask = f"0-{cpus - 1}".encode() + b"\0"
        self._send(self.family, TASKSTATS_CMD_GET,
                   _attr(TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, mask))
        self._check_ack()
        self.lock = threading.Lock()
        self.procs = {}         # tgid -> Proc
        self.dropped = False
        self.closed = False
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    # -- netlink -------------------------------------------------------

    def _send(self, msgtype, cmd, payload):
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        hdr = struct.pack("IHHII", 16 + len(body), msgtype,
                          NLM_F_REQUEST | 4, self.seq, 0)   # 4: NLM_F_ACK
        self.sock.send(hdr + body)

    def _family_id(self):
        self._send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                   _attr(CTRL_ATTR_FAMILY_NAME, b"TASKSTATS\0"))
        fam = None
        deadline = time.monotonic() + 5
        while True:
            data = self.sock.recv(65536)
            for mtype, payload in self._messages(data):
                if mtype == NLMSG_ERROR:
                    err = struct.unpack_from("i", payload)[0]
                    if err != 0:
                        raise OSError(-err, "TASKSTATS family lookup")
                    if fam is not None:
                        return fam
                    continue
                for atype, value in _attrs(payload[4:]):
                    if atype == CTRL_ATTR_FAMILY_ID:
                        fam = struct.unpack_from("H", value)[0]
            if time.monotonic() > deadline:
                raise OSError("no answer from the netlink controller")

    def _check_ack(self):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            data = self.sock.recv(65536)
            for mtype, payload in self._messages(data):
                if mtype == NLMSG_ERROR:
                    err = struct.unpack_from("i", payload)[0]
                    if err != 0:
                        raise OSError(-err, "TASKSTATS register")
                    return
        raise OSError("no answer to the TASKSTATS registration")

    @staticmethod
    def _messages(data):
        off = 0
        while off + 16 <= len(data):
            length, mtype = struct.unpack_from("IH", data, off)
            if length < 16:
                break
            yield mtype, data[off + 16:off + length]
            off += (length + 3) & ~3

    def _reader(self):
        while not self.closed:
            try:
                data = self.sock.recv(1 << 20)
            except OSError as e:
                if self.closed:
                    return
                if e.errno == 105:      # ENOBUFS: records were lost
                    self.dropped = True
                    continue
                return
            for mtype, payload in self._messages(data):
                if mtype != self.family or len(payload) < 4:
                    continue
                if payload[0] != TASKSTATS_CMD_NEW:
                    continue
                for atype, value in _attrs(payload[4:]):
                    if atype == TASKSTATS_TYPE_AGGR_PID:
                        self._record(value)

    def _record(self, nested):
        stats = None
        for atype, value in _attrs(nested):
            if atype == TASKSTATS_TYPE_STATS:
                stats = value
        if stats is None or len(stats) < OFF_HIWATER + 8:
            return
        version = struct.unpack_from("H", stats)[0]
        pid, ppid = struct.unpack_from("II", stats, OFF_PID)
        utime, stime = struct.unpack_from("QQ", stats, OFF_UTIME)
        hiwater = struct.unpack_from("Q", stats, OFF_HIWATER)[0]
        tgid = pid
        if version >= 12 and len(stats) >= OFF_TGID + 4:
            tgid = struct.unpack_from("I", stats, OFF_TGID)[0] or pid
        comm = stats[OFF_COMM:OFF_COMM + 32].split(b"\0")[0].decode(
            errors="replace")
        with self.lock:
            p = self.procs.get(tgid)
            if p is None:
                p = self.procs[tgid] = Proc(tgid)
            p.utime_us += utime
            p.stime_us += stime
            p.hiwater_kb = max(p.hiwater_kb, hiwater)
            if pid == tgid or not p.ppid:
                p.ppid = ppid
            if pid == tgid or not p.comm:
                p.comm = comm
            if pid == tgid:
                p.leader_seen = True

    # -- queries -------------------------------------------------------

    def wait_exit(self, tgid, timeout=5):
        """Waits until the record of tgid's main thread has been read."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                p = self.procs.get(tgid)
                if p is not None and getattr(p, "leader_seen", False):
                    return True
            time.sleep(0.005)
        return False

    def tree(self, root):
        """{tgid: Proc} of root and its descendants that have exited,
        removed from the records (each PID is counted once)."""
        with self.lock:
            children = {}
            for p in self.procs.values():
                children.setdefault(p.ppid, []).append(p.tgid)
            out = {}
            todo = [root]
            while todo:
                t = todo.pop()
                if t in out or t not in self.procs:
                    continue
                out[t] = self.procs[t]
                todo.extend(children.get(t, []))
            for t in out:
                del self.procs[t]
            return out

    def forget(self):
        with self.lock:
            self.procs.clear()

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass
