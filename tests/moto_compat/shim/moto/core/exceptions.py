class ServiceException(Exception):
    """Placeholder: moto's exception classes are imported by its tests but only raised in-process."""

    def __init__(self, code="", message=""):
        super().__init__(message)
        self.code = code
        self.message = message
