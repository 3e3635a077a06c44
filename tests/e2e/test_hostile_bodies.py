"""Request bodies held by the sandbox are capped in total (docs/sandbox.md, "Hostile clients"):

* 20 connections each declaring a 16 MiB body and sending it slowly, against
  --max-inflight-body-mib 32: exactly two are let in, the others are answered 503 SlowDown at
  once (before their body is read), and the sandbox's resident memory grows by less than the
  budget plus 16 MiB (4x that under AddressSanitizer);
* a signed request from another client is answered meanwhile;
* once the held bodies are done the budget is free again: the same request is accepted;
* a chunked body is counted as its chunks arrive: 1 MiB while the budget is held gets 503;
* a body over the 16 MiB size cap is answered 413 at once.

Bounded: 20 connections, a few seconds. Run by CTest with /usr/bin/python3."""
import os
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_lib as h  # noqa: E402

MIB = 1024 * 1024
BUDGET_MIB = 32
CONNS = 20


def main():
    c = h.Checks()
    with tempfile.TemporaryDirectory() as tmp:
        proc, host, port = h.start_sandbox(tmp, "--max-inflight-body-mib", str(BUDGET_MIB))
        socks = []
        try:
            status, _, _, _ = h.exchange(host, port, h.sts_caller(host, port))
            c.check("serving", status == 200, str(status))
            rss_before = h.rss_kb(proc.pid)
            head = (f"PUT /domains/big HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {16 * MIB}\r\n\r\n")
            for _ in range(CONNS):
                s = socket.create_connection((host, port), timeout=5)
                s.sendall(head.encode())
                socks.append(s)
            # Those over the budget are answered at once; the others wait for their body.
            refused = []
            held = []
            for s in socks:
                s.settimeout(2.0)  # the refused are answered at once; the admitted wait
                try:
                    status, headers, body, _ = h.read_answer(s, time.monotonic())
                except socket.timeout:
                    held.append(s)
                    continue
                refused.append((status, body))
            c.check("exactly two bodies admitted", len(held) == BUDGET_MIB // 16,
                    f"{len(held)} held")
            c.check("the rest answered 503 SlowDown",
                    len(refused) >= CONNS - BUDGET_MIB // 16 and
                    all(st == 503 and b"SlowDown" in b for st, b in refused),
                    str(refused[:3]))
            # A chunked body is counted as it arrives: with the budget held, 1 MiB gets 503.
            piece = b"%x\r\n" % (256 * 1024) + b"x" * (256 * 1024) + b"\r\n"
            status, _, body, _ = h.exchange(host, port, h.raw(
                "PUT", "/domains/chunked", {"Transfer-Encoding": "chunked"}, b"",
                host=f"{host}:{port}") + piece * 4 + b"0\r\n\r\n", timeout=10)
            c.check("a chunked body over what is left of the budget: 503 SlowDown",
                    status == 503 and b"SlowDown" in body,
                    f"{status} {body[:100]}")
            # Send the admitted bodies slowly, measuring memory and serving others meanwhile.
            chunk = b"x" * MIB
            peak = rss_before
            for _ in range(16):
                for s in held:
                    s.settimeout(5)
                    s.sendall(chunk)
                peak = max(peak, h.rss_kb(proc.pid))
                time.sleep(0.05)
            status, _, _, took = h.exchange(host, port, h.sts_caller(host, port))
            c.check("others answered while bodies are held", status == 200 and took < 2,
                    f"{status} in {took:.3f}s")
            for s in held:
                status, _, _, _ = h.read_answer(s, time.monotonic())
                c.check("an admitted body gets an answer", status is not None and status != 503,
                        str(status))
            peak = max(peak, h.rss_kb(proc.pid))
            slack = 4 if h.sanitized(proc.pid) else 1
            c.check("RSS stays under the budget (+16 MiB)",
                    peak - rss_before < (BUDGET_MIB + 16) * 1024 * slack,
                    f"{rss_before} kB -> peak {peak} kB")
            # The budget is released: a 1 MiB body is admitted again (not 503).
            body = b"{" + b" " * (MIB - 2) + b"}"
            status, _, _, _ = h.exchange(host, port, h.raw(
                "PUT", "/domains/again", {"Content-Type": "application/json"}, body,
                host=f"{host}:{port}"), timeout=10)
            c.check("budget released after the bodies are done", status not in (None, 503),
                    str(status))
            status, _, body, took = h.exchange(host, port, h.raw(
                "PUT", "/domains/huge", {"Content-Length": str(17 * MIB)}, b"",
                host=f"{host}:{port}"), timeout=5)
            c.check("a body over the size cap is answered 413 at once",
                    status == 413 and took < 2, f"{status} in {took:.3f}s")
        finally:
            for s in socks:
                s.close()
            h.stop_sandbox(proc, c)
    c.finish("hostile_bodies")


if __name__ == "__main__":
    main()
