"""boto3's standard retry mode against an injected ThrottlingException
(test/integration/fault-injection.test.ts): the endpoint fails every request,
so boto3 retries to max_attempts and then raises; prints what it saw."""

import json
import sys

import boto3
import botocore.config
import botocore.exceptions

endpoint = sys.argv[1]
runtime = boto3.client(
    "sagemaker-runtime",
    config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 3}),
)
try:
    runtime.invoke_endpoint(EndpointName=endpoint, Body=b"{}", ContentType="application/json")
    print(json.dumps({"ok": True}))
except botocore.exceptions.ClientError as err:
    meta = err.response.get("ResponseMetadata", {})
    print(json.dumps({
        "code": err.response.get("Error", {}).get("Code"),
        "status": meta.get("HTTPStatusCode"),
        "retryAttempts": meta.get("RetryAttempts"),
    }))
