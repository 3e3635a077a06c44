def get_backend(name):
    """moto's in-process backends do not exist here; the tests that use them skip in server mode."""
    raise RuntimeError("moto backends are not available against cpwarden sandbox")
