"""boto3's invoke_endpoint_async against the emulator (test/integration/async-clients.test.ts).

Usage: async_boto3.py BUCKET ENDPOINT [SNS_URL QUEUE_URL]. Puts the inputs in the embedded S3 with
put_object, calls invoke_endpoint_async(InputLocation=...), polls get_object
(bounded) on OutputLocation / FailureLocation, and prints one JSON document of
what boto3 saw. With SNS_URL and QUEUE_URL, it also reads both requests'
notifications from that SQS queue (subscribed to the endpoint's topics) with
receive_message, bounded.
"""

import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from common import emit

POLL_SECONDS = 30


def wait_for_object(s3, uri):
    """The object's text once it exists, or None after POLL_SECONDS (bounded)."""
    assert uri.startswith("s3://"), uri
    bucket, key = uri[len("s3://"):].split("/", 1)
    deadline = time.monotonic() + POLL_SECONDS
    for _ in range(int(POLL_SECONDS / 0.2) + 1):
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        except ClientError as err:
            if err.response["Error"]["Code"] != "NoSuchKey":
                raise
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    return None


def read_notifications(sqs_url, queue_url, ids):
    """{inferenceId: notification} for `ids`, read from the queue (bounded; messages are left in place)."""
    sqs = boto3.client("sqs", endpoint_url=sqs_url)
    found = {}
    deadline = time.monotonic() + POLL_SECONDS
    for _ in range(POLL_SECONDS + 1):
        for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            note = json.loads(m["Body"])
            found[note.get("inferenceId")] = note
        if all(i in found for i in ids) or time.monotonic() >= deadline:
            break
    return {i: found[i] for i in ids if i in found}


def main():
    bucket, endpoint = sys.argv[1], sys.argv[2]
    s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
    runtime = boto3.client("sagemaker-runtime")
    out = {}

    s3.put_object(Bucket=bucket, Key="boto3/in-ok.json", Body=json.dumps({"from": "boto3", "n": 7}).encode(), ContentType="application/json")
    ok = runtime.invoke_endpoint_async(
        EndpointName=endpoint, InputLocation=f"s3://{bucket}/boto3/in-ok.json", ContentType="application/json", Accept="application/json"
    )
    out["ok"] = {
        "status": ok["ResponseMetadata"]["HTTPStatusCode"],
        "InferenceId": ok.get("InferenceId"),
        "OutputLocation": ok.get("OutputLocation"),
        "FailureLocation": ok.get("FailureLocation"),
    }
    text = wait_for_object(s3, ok["OutputLocation"])
    out["ok"]["output"] = json.loads(text) if text is not None else None

    s3.put_object(Bucket=bucket, Key="boto3/in-bad.json", Body=json.dumps({"status": 500}).encode(), ContentType="application/json")
    bad = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=f"s3://{bucket}/boto3/in-bad.json", ContentType="application/json")
    out["bad"] = {
        "InferenceId": bad.get("InferenceId"),
        "OutputLocation": bad.get("OutputLocation"),
        "FailureLocation": bad.get("FailureLocation"),
        "failure": wait_for_object(s3, bad["FailureLocation"]),
    }
    # The failure file is written, so the request is done: a failed request has no output.
    out_bucket, out_key = bad["OutputLocation"][len("s3://"):].split("/", 1)
    try:
        s3.head_object(Bucket=out_bucket, Key=out_key)
        out["bad"]["outputExists"] = True
    except ClientError as err:
        out["bad"]["outputExists"] = err.response["Error"]["Code"] not in ("404", "NoSuchKey")

    try:
        runtime.invoke_endpoint_async(EndpointName="no-such-async-endpoint", InputLocation=f"s3://{bucket}/boto3/in-ok.json")
        out["missingEndpoint"] = None
    except ClientError as err:
        out["missingEndpoint"] = {"Code": err.response["Error"]["Code"], "Status": err.response["ResponseMetadata"]["HTTPStatusCode"]}
    if len(sys.argv) > 4:
        out["notifications"] = read_notifications(sys.argv[3], sys.argv[4], [ok["InferenceId"], bad["InferenceId"]])
    emit(out)


main()
