"""mock_aws in server mode: while active, boto3.client and boto3.resource default endpoint_url to
the sandbox of the current test (moto.core.models.ServerModeMockAWS does the same for moto's
server). A fresh sandbox per test replaces moto's /moto-api/reset call."""
import functools
import inspect
from unittest import mock

import boto3

from moto import settings

_active = {"depth": 0, "patchers": []}


class _ServerMode:
    def __call__(self, func):
        if inspect.isclass(func):
            for name, attr in list(vars(func).items()):
                if callable(attr) and not inspect.isclass(attr) and (
                        name.startswith("test") or name in ("setup_method", "teardown_method")):
                    setattr(func, name, self(attr))
            return func

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _ServerMode():
                return func(*args, **kwargs)

        return wrapper

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, reset=True):
        _active["depth"] += 1
        if _active["depth"] > 1:
            return
        endpoint = settings.test_server_mode_endpoint()
        real_client, real_resource = boto3.client, boto3.resource

        def fake_client(*args, **kwargs):
            kwargs.setdefault("endpoint_url", endpoint)
            return real_client(*args, **kwargs)

        def fake_resource(*args, **kwargs):
            kwargs.setdefault("endpoint_url", endpoint)
            return real_resource(*args, **kwargs)

        _active["patchers"] = [mock.patch("boto3.client", fake_client),
                               mock.patch("boto3.resource", fake_resource)]
        for p in _active["patchers"]:
            p.start()

    def stop(self, remove_data=True):
        _active["depth"] -= 1
        if _active["depth"] > 0:
            return
        for p in reversed(_active["patchers"]):
            p.stop()
        _active["patchers"] = []


def mock_aws(func=None, config=None):
    """@mock_aws, @mock_aws() and `with mock_aws():`, as in moto."""
    if func is not None:
        return _ServerMode()(func)
    return _ServerMode()
