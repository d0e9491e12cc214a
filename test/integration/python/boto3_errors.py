"""Error codes and messages as boto3 reports them (ClientError), from both planes.

Usage: python3 boto3_errors.py <name-prefix> <in-service-endpoint> <existing-model>
"""

import json
import sys

from common import ROLE, capture, clients, emit

SEVEN_MB = 7 * 1024 * 1024


def main():
    prefix, endpoint, existing_model = sys.argv[1], sys.argv[2], sys.argv[3]
    sm, runtime = clients()
    missing = f"{prefix}-Missing-Endpoint"
    out = {"missingEndpointName": missing}

    out["describeMissingEndpoint"] = capture(lambda: sm.describe_endpoint(EndpointName=missing))
    out["duplicateModel"] = capture(
        lambda: sm.create_model(
            ModelName=existing_model,
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "sagemaker-emulator/echo-model:latest"},
        )
    )
    out["invokeMissingEndpoint"] = capture(
        lambda: runtime.invoke_endpoint(EndpointName=missing, Body=b"{}", ContentType="application/json")
    )
    out["modelError"] = capture(
        lambda: runtime.invoke_endpoint(
            EndpointName=endpoint,
            Body=json.dumps({"status": 500, "errorText": "boom"}).encode(),
            ContentType="application/json",
        )
    )
    out["tooLarge"] = capture(
        lambda: runtime.invoke_endpoint(
            EndpointName=endpoint,
            Body=b"x" * SEVEN_MB,
            ContentType="application/octet-stream",
        )
    )
    # The endpoint still answers after the refused payload.
    out["afterTooLarge"] = capture(
        lambda: json.loads(
            runtime.invoke_endpoint(EndpointName=endpoint, Body=b'{"after":1}', ContentType="application/json")[
                "Body"
            ].read()
        )["input"]
    )
    emit(out)


if __name__ == "__main__":
    main()
