DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account, also the sandbox's
