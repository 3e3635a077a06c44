iam_backends = {}  # in-process only; read by tests that skip in server mode
