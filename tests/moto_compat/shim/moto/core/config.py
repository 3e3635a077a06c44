default_user_config = {"core": {"reset_boto3_session": False}}
