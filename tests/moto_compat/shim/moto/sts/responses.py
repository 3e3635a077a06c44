# The limits moto's STS tests probe, as moto.sts.responses declares them (AWS's documented limits:
# a federation token's policy is at most 2,048 characters, a role name at most 64).
MAX_FEDERATION_TOKEN_POLICY_LENGTH = 2048
MAX_ROLE_NAME_LENGTH = 64
