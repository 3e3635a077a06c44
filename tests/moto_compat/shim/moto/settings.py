"""moto.settings as moto's server mode sees it: the tests that need moto's in-process backends
check these flags and skip themselves, exactly as they do against moto's own server."""
import os

TEST_SERVER_MODE = True
TEST_DECORATOR_MODE = False


def is_test_proxy_mode():
    return False


def test_server_mode_endpoint():
    # Set by tests/moto_compat/conftest.py to the sandbox started for the current test.
    return os.environ["TEST_SERVER_MODE_ENDPOINT"]
