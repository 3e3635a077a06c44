"""sandbox_lib.py - starts `cpwarden sandbox` for the Python end-to-end tests: on 127.0.0.1, an
ephemeral port, ready once its --ready-file holds the URL (a bounded wait); the caller kills it."""
import os
import subprocess
import time


def start_sandbox(cpwarden, ready, args, env=None, timeout_s=10):
    """Runs `CPWARDEN sandbox --port 0 --ready-file READY ARGS...` and returns (process, URL).
    Stops the test (SystemExit) when the sandbox exits first or is not ready within timeout_s."""
    proc = subprocess.Popen([cpwarden, "sandbox", "--port", "0", "--ready-file", ready, *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if os.path.exists(ready) and os.path.getsize(ready) > 0:
            with open(ready) as f:
                return proc, f.read().strip()
        if proc.poll() is not None:
            raise SystemExit("sandbox exited: " + proc.stderr.read().decode())
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("sandbox did not become ready in %d s" % timeout_s)
