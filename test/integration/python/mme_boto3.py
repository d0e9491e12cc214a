"""boto3 against a multi-model endpoint (test/integration/multi-model-clients.test.ts).

Usage: mme_boto3.py PREFIX IMAGE. PREFIX (s3://bucket/models/ in the emulator's S3) holds
a.tar.gz, b.tar.gz, team-x/e.tar.gz and slow.tar.gz. Creates a MultiModel model, a config
and an endpoint with boto3 (waiting with the endpoint_in_service waiter), invokes each
model with TargetModel, the slow one with boto3's default retries (its load outlasts the
emulator's wait, so the first attempt gets ModelNotReadyException), a missing one and none;
prints one JSON document of what boto3 saw.
"""

import json
import sys
import uuid

from common import ROLE, capture, clients, emit


def main():
    prefix, image = sys.argv[1], sys.argv[2]
    sm, runtime = clients()
    name = "mme-boto3-" + uuid.uuid4().hex[:8]
    sm.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": image, "Mode": "MultiModel", "ModelDataUrl": prefix,
                          "MultiModelConfig": {"ModelCacheSetting": "Enabled"}},
    )
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": name,
                             "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    sm.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    def invoke(target, **extra):
        args = {"EndpointName": name, "ContentType": "application/json", "Body": json.dumps({"via": "boto3"})}
        if target is not None:
            args["TargetModel"] = target
        r = runtime.invoke_endpoint(**args, **extra)
        body = json.loads(r["Body"].read())
        return {"answer": body["answer"], "targetModel": body["targetModel"], "loads": body["loads"],
                "variant": r["InvokedProductionVariant"], "retries": r["ResponseMetadata"]["RetryAttempts"]}

    doc = {
        "model": sm.describe_model(ModelName=name)["PrimaryContainer"],
        "a": capture(lambda: invoke("a.tar.gz")),
        "b": capture(lambda: invoke("b.tar.gz")),
        "e": capture(lambda: invoke("team-x/e.tar.gz")),
        "a_again": capture(lambda: invoke("a.tar.gz")),
        "slow": capture(lambda: invoke("slow.tar.gz")),
        "missing": capture(lambda: invoke("missing.tar.gz")),
        "none": capture(lambda: invoke(None)),
    }
    sm.delete_endpoint(EndpointName=name)
    emit(doc)


if __name__ == "__main__":
    main()
