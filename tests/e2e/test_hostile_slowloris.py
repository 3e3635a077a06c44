"""The sandbox keeps serving while hostile clients hold connections (docs/sandbox.md, "Hostile
clients"):

* 2,000 connections from other loopback addresses (127.0.0.2-5) that send a partial request and
  then one byte every second: a signed request from 127.0.0.1 is still answered, its median
  latency within 10x (or 0.1 s) of the median measured before the attack and every answer under
  2 s; the sandbox's resident memory grows by less than 64 MB (8x that under AddressSanitizer,
  whose allocator keeps quarantine and shadow memory);
* the per-client cap: at most --max-connections-per-client of one address's connections stay
  open, the others are closed at once;
* the whole-request deadline: connections still trickling bytes are closed once
  --request-timeout has passed, although every byte restarts libmicrohttpd's idle timeout.

Bounded: 2,000 sockets, about 15 s. Run by CTest with /usr/bin/python3."""
import os
import resource
import socket
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_lib as h  # noqa: E402

ATTACKERS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
PER_ADDRESS = 500
PER_CLIENT_CAP = 64
DEADLINE_S = 4


def raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def timed_requests(host, port, n):
    times = []
    statuses = []
    for _ in range(n):
        status, _, _, took = h.exchange(host, port, h.sts_caller(host, port), timeout=5.0,
                                        source="127.0.0.1")
        statuses.append(status)
        times.append(took if status == 200 else 5.0)
    return statuses, times


def open_state(sock):
    """"open", or "closed" when the server has closed it (EOF or reset)."""
    try:
        data = sock.recv(4096)
        return "closed" if not data or data.startswith(b"HTTP/") else "open"
    except BlockingIOError:
        return "open"
    except OSError:
        return "closed"


def main():
    c = h.Checks()
    if raise_fd_limit(len(ATTACKERS) * PER_ADDRESS + 256) < len(ATTACKERS) * PER_ADDRESS + 64:
        print("FAILED: cannot raise the open-file limit for 2,000 sockets")
        sys.exit(1)
    with tempfile.TemporaryDirectory() as tmp:
        proc, host, port = h.start_sandbox(tmp, "--request-timeout", str(DEADLINE_S),
                                           "--max-connections-per-client", str(PER_CLIENT_CAP))
        socks = []
        try:
            statuses, before = timed_requests(host, port, 20)
            c.check("baseline answered", statuses == [200] * 20, str(statuses))
            base = statistics.median(before)
            rss_before = h.rss_kb(proc.pid)

            attack_start = time.monotonic()
            for addr in ATTACKERS:
                for _ in range(PER_ADDRESS):
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.bind((addr, 0))
                    s.settimeout(1.0)
                    try:
                        s.connect((host, port))
                        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                    except OSError:
                        pass
                    s.setblocking(False)
                    socks.append(s)
            c.check("2,000 connections attempted", len(socks) == len(ATTACKERS) * PER_ADDRESS)

            # Trickle one byte a second on every connection still open while measuring.
            during = []
            answered = []
            last_trickle = 0.0
            while time.monotonic() - attack_start < DEADLINE_S - 1:
                if time.monotonic() - last_trickle >= 1.0:
                    last_trickle = time.monotonic()
                    for s in socks:
                        try:
                            s.send(b"a")
                        except OSError:
                            pass
                st, took = timed_requests(host, port, 1)
                answered += st
                during += took
            open_now = sum(1 for s in socks if open_state(s) == "open")
            c.check("per-client cap keeps at most 64 per address open",
                    open_now <= PER_CLIENT_CAP * len(ATTACKERS),
                    f"{open_now} still open")
            c.check("some attack connections were held (the test attacks)", open_now > 0)
            c.check("requests during the attack answered",
                    len(answered) >= 5 and all(s == 200 for s in answered), str(answered[:20]))
            med = statistics.median(during) if during else 99
            c.check("median latency within 10x the baseline (or 0.1 s)",
                    med <= max(10 * base, 0.1), f"baseline {base:.4f}s, during {med:.4f}s")
            c.check("every answer under 2 s", during and max(during) < 2.0,
                    f"max {max(during) if during else None}")
            rss_after = h.rss_kb(proc.pid)
            bound_mb = 64 * (8 if h.sanitized(proc.pid) else 1)
            c.check(f"RSS grows by less than {bound_mb} MB",
                    rss_after - rss_before < bound_mb * 1024,
                    f"{rss_before} kB -> {rss_after} kB")

            # Keep trickling past the deadline: the server closes them anyway.
            end = attack_start + DEADLINE_S + 3
            while time.monotonic() < end:
                for s in socks:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
                time.sleep(0.5)
            open_late = sum(1 for s in socks if open_state(s) == "open")
            c.check("trickling connections closed after --request-timeout", open_late == 0,
                    f"{open_late} still open")
            statuses, _ = timed_requests(host, port, 3)
            c.check("still serving afterwards", statuses == [200] * 3, str(statuses))
        finally:
            for s in socks:
                s.close()
            h.stop_sandbox(proc, c)
    c.finish("hostile_slowloris")


if __name__ == "__main__":
    main()
