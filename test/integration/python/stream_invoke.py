"""InvokeEndpointWithResponseStream through boto3, for test/integration/streaming.test.ts.

Usage: stream_invoke.py ENDPOINT_NAME (an endpoint of containers/streaming-model).
Prints one JSON document: what a normal stream, a broken stream and an error
before the first byte looked like to boto3.
"""

import json
import sys

import botocore.exceptions

from common import clients, emit


def read_events(body):
    """Joins the PayloadParts and splits the SSE events: a part may end mid-line."""
    buffer = b""
    parts = 0
    for event in body:
        if "PayloadPart" in event:
            parts += 1
            buffer += event["PayloadPart"]["Bytes"]
    return parts, buffer


def tokens_of(buffer):
    out = []
    for block in buffer.decode("utf-8").split("\n\n"):
        if block.startswith("data: "):
            doc = json.loads(block[len("data: "):])
            if "token" in doc:
                out.append(doc["token"])
    return out


def main():
    _, runtime = clients()
    endpoint = sys.argv[1]
    doc = {}

    response = runtime.invoke_endpoint_with_response_stream(
        EndpointName=endpoint, Body=json.dumps({"prompt": "a b c", "delayMs": 50}), ContentType="application/json"
    )
    parts, buffer = read_events(response["Body"])
    doc["ok"] = {
        "parts": parts,
        "tokens": tokens_of(buffer),
        "contentType": response.get("ContentType"),
        "variant": response.get("InvokedProductionVariant"),
    }

    # The error arrives as an exception frame after two tokens: botocore raises it while iterating.
    response = runtime.invoke_endpoint_with_response_stream(
        EndpointName=endpoint, Body=json.dumps({"tokens": 5, "delayMs": 50, "failAfter": 2})
    )
    received = b""
    try:
        for event in response["Body"]:
            if "PayloadPart" in event:
                received += event["PayloadPart"]["Bytes"]
        doc["broken"] = {"exception": None}
    except botocore.exceptions.EventStreamError as err:
        doc["broken"] = {
            "exception": type(err).__name__,
            "code": err.response["Error"]["Code"],
            "tokens": tokens_of(received),
            "message": err.response["Error"].get("Message"),
        }

    try:
        runtime.invoke_endpoint_with_response_stream(EndpointName=endpoint, Body=json.dumps({"status": 400}))
        doc["before"] = {"exception": None}
    except botocore.exceptions.ClientError as err:
        doc["before"] = {
            "exception": type(err).__name__,
            "code": err.response["Error"]["Code"],
            "status": err.response["ResponseMetadata"]["HTTPStatusCode"],
            "originalStatusCode": err.response.get("OriginalStatusCode"),
        }
    emit(doc)


if __name__ == "__main__":
    main()
