from datetime import datetime, timezone


def utcnow():
    """Naive UTC now, as moto.core.utils.utcnow."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
