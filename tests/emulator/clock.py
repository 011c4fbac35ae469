"""The emulated services' own wall clock: this machine's time.time() plus an offset.

Every wall-clock time the services show or judge (the HTTP Date header, token
iat/exp and expiry checks, X-RateLimit-Reset, createdDate-style stamps) comes from
Clock.now(). The offset starts at --clock-offset and changes through POST
/control/clock, at once for everything afterwards (a stand-in for a device or service
whose clock is wrong, or an NTP step).

Durations never use it: state timers run on time.monotonic() (Clock.mono), so a step
does not move a cluster through its states. A monotonic instant is shown as the wall
time it had on the service clock then (wall_at), with the offset in force at that
instant: a cluster created before a step keeps its createdDate.
"""
import email.utils
import threading
import time

# The service's time must stay a date every formatter here can write.
MIN_T, MAX_T = 0, 253402300799          # 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Clock:
    def __init__(self, offset=0):
        self.lock = threading.Lock()
        self.base = time.time() - time.monotonic()      # monotonic -> this machine's wall time
        self.check(offset)
        self.offset = offset
        self.changes = [(float("-inf"), offset)]        # (monotonic instant, offset from then on)

    @staticmethod
    def check(offset):
        if not is_int(offset):
            raise ValueError("the offset must be an integer number of seconds")
        t = time.time() + offset
        if not MIN_T <= t <= MAX_T:
            raise ValueError("offset %d puts the service clock outside 1970..9999" % offset)

    def now(self):
        """The service's wall-clock time (unix seconds, float)."""
        return time.time() + self.offset

    @staticmethod
    def mono():
        """For durations and state timers: never stepped."""
        return time.monotonic()

    def wall_at(self, m):
        """The service's wall time at monotonic instant m."""
        off = self.changes[0][1]
        for t, o in self.changes:
            if t > m:
                break
            off = o
        return self.base + m + off

    def http_date(self):
        return email.utils.formatdate(self.now(), usegmt=True)

    def state(self):
        return {"offset_s": self.offset, "now": int(self.now())}

    def change(self, data):
        """POST /control/clock: {"offset_s": N} sets the offset, {"step_s": N} adds to it."""
        keys = set(data)
        if len(keys) != 1 or not keys <= {"offset_s", "step_s"}:
            raise ValueError('expected exactly one of {"offset_s": N} or {"step_s": N} (integer seconds)')
        (k, v), = data.items()
        if not is_int(v):
            raise ValueError("%s must be an integer number of seconds" % k)
        with self.lock:
            new = v if k == "offset_s" else self.offset + v
            self.check(new)
            self.offset = new
            self.changes.append((time.monotonic(), new))
        return self.state()
