"""Shared bits of the boto3 scripts run by test/integration/boto3-cli.test.ts.

The clients are built the way a user builds them: nothing but boto3.client(...),
with the endpoint, credentials and region taken from the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION).
Each script prints exactly one JSON document on stdout; the TypeScript test
asserts on it.
"""

import json
import sys

import boto3
import botocore.exceptions

ROLE = "arn:aws:iam::123456789012:role/test"
ECHO_IMAGE = "sagemaker-emulator/echo-model:latest"


def clients():
    return boto3.client("sagemaker"), boto3.client("sagemaker-runtime")


def client_error(err):
    """What a ClientError says: the parsed error, the HTTP status and ModelError's extra members."""
    response = err.response
    return {
        "Error": response.get("Error", {}),
        "HTTPStatusCode": response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
        "OriginalStatusCode": response.get("OriginalStatusCode"),
        "OriginalMessage": response.get("OriginalMessage"),
        "LogStreamArn": response.get("LogStreamArn"),
        "operation": err.operation_name,
    }


def capture(fn):
    """Runs fn; returns {"ok": result} or {"error": client_error(...)} (other exceptions: {"exception": ...})."""
    try:
        return {"ok": fn()}
    except botocore.exceptions.ClientError as err:
        return {"error": client_error(err)}
    except Exception as err:  # noqa: BLE001 - reported to the test, which fails on it
        return {"exception": type(err).__name__, "message": str(err)}


def emit(doc):
    sys.stdout.write(json.dumps(doc, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()
