from moto.core.exceptions import ServiceException


class InvalidInputException(ServiceException):
    pass


class TargetNotFoundException(ServiceException):
    pass
