"""Runs moto's own IAM, STS and Organizations test files (vendored from moto 5.2.1, Apache-2.0,
see README.md) against `cpwarden sandbox`: a fresh sandbox per test, in memory, on an ephemeral
127.0.0.1 port, called with the root keys of its default account (123456789012, moto's too)."""
import os
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "shim"))  # `import moto` finds the stand-in, never moto

ROOT_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
             "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}


def _cpwarden():
    path = os.environ.get("CPWARDEN")
    if not path:
        raise pytest.UsageError("set CPWARDEN to the cpwarden binary")
    return path


@pytest.fixture(autouse=True)
def sandbox(tmp_path, monkeypatch):
    ready = tmp_path / "ready"
    proc = subprocess.Popen([_cpwarden(), "sandbox", "--port", "0", "--ready-file", str(ready)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    url = None
    while time.monotonic() < deadline:
        if ready.exists() and ready.stat().st_size > 0:
            url = ready.read_text().strip()
            break
        if proc.poll() is not None:
            raise RuntimeError("sandbox exited: " + proc.stderr.read().decode())
        time.sleep(0.005)
    if url is None:
        proc.kill()
        raise RuntimeError("sandbox not ready within 10 s")
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL",
                "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for k, v in ROOT_KEYS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("TEST_SERVER_MODE_ENDPOINT", url)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
