"""A stand-in for the `moto` package, enough for moto's own test files to run in server mode
against `cpwarden sandbox` (tests/moto_compat/README.md). It holds no emulation: `mock_aws` only
points boto3 at the sandbox the harness started for the current test, as moto's server mode points
it at moto's server."""
from moto import settings  # noqa: F401  (the tests read moto.settings)
from moto.core.models import mock_aws  # noqa: F401
