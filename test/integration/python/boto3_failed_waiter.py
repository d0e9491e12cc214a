"""The endpoint_in_service waiter on an endpoint whose image does not exist:
the endpoint goes Failed and the waiter stops with a WaiterError at once.

Usage: python3 boto3_failed_waiter.py <name-prefix>
"""

import sys

import botocore.exceptions

from common import ROLE, clients, emit

MISSING_IMAGE = "sagemaker-emulator/no-such-image:latest"


def main():
    prefix = sys.argv[1]
    sm, _ = clients()
    model, config, endpoint = f"{prefix}-model", f"{prefix}-config", f"{prefix}-ep"
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": MISSING_IMAGE})
    sm.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": model, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
    )
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    out = {"image": MISSING_IMAGE, "endpoint": endpoint}
    try:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        out["waiter"] = {"succeeded": True}
    except botocore.exceptions.WaiterError as err:
        out["waiter"] = {
            "exception": type(err).__name__,
            "reason": err.kwargs.get("reason"),
            "message": str(err),
            "lastStatus": (err.last_response or {}).get("EndpointStatus"),
        }
    d = sm.describe_endpoint(EndpointName=endpoint)
    out["describe"] = {"EndpointStatus": d["EndpointStatus"], "FailureReason": d.get("FailureReason")}
    # A Failed endpoint can be deleted.
    sm.delete_endpoint(EndpointName=endpoint)
    sm.get_waiter("endpoint_deleted").wait(EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    out["deleted"] = True
    emit(out)


if __name__ == "__main__":
    main()
