"""The hosting lifecycle through boto3: models, config, endpoint, waiters, invoke,
paginated lists, tags, delete.

Usage: python3 boto3_lifecycle.py <name-prefix> <model-tarball-path>
"""

import json
import pathlib
import sys

from common import ECHO_IMAGE, ROLE, clients, emit

EXTRA_MODELS = 12  # more than one page of ListModels (10 by default)


def main():
    prefix, tarball = sys.argv[1], sys.argv[2]
    sm, runtime = clients()
    out = {"endpointUrl": sm.meta.endpoint_url, "runtimeEndpointUrl": runtime.meta.endpoint_url}

    model = f"{prefix}-model"
    config = f"{prefix}-config"
    endpoints = [f"{prefix}-ep-a", f"{prefix}-ep-b"]
    model_data_url = pathlib.Path(tarball).resolve().as_uri()

    out["createModel"] = sm.create_model(
        ModelName=model,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": ECHO_IMAGE, "ModelDataUrl": model_data_url},
    )["ModelArn"]
    out["createEndpointConfig"] = sm.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )["EndpointConfigArn"]
    created = [
        sm.create_endpoint(
            EndpointName=name,
            EndpointConfigName=config,
            Tags=[{"Key": "team", "Value": "ml"}],
        )
        for name in endpoints
    ]
    out["createEndpoint"] = [c["EndpointArn"] for c in created]
    out["statusAfterCreate"] = sm.describe_endpoint(EndpointName=endpoints[0])["EndpointStatus"]

    waiter = sm.get_waiter("endpoint_in_service")
    for name in endpoints:
        waiter.wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    d = sm.describe_endpoint(EndpointName=endpoints[0])
    variant = d["ProductionVariants"][0]
    out["describe"] = {
        "EndpointName": d["EndpointName"],
        "EndpointArn": d["EndpointArn"],
        "EndpointConfigName": d["EndpointConfigName"],
        "EndpointStatus": d["EndpointStatus"],
        "CreationTimeType": type(d["CreationTime"]).__name__,
        "VariantName": variant["VariantName"],
        "CurrentInstanceCount": variant.get("CurrentInstanceCount"),
        "DesiredInstanceCount": variant.get("DesiredInstanceCount"),
        "CurrentWeight": variant.get("CurrentWeight"),
        "DeployedImages": [
            {
                "SpecifiedImage": i.get("SpecifiedImage"),
                "ResolvedImage": i.get("ResolvedImage"),
                "ResolutionTimeType": type(i.get("ResolutionTime")).__name__,
            }
            for i in variant.get("DeployedImages", [])
        ],
    }

    r = runtime.invoke_endpoint(
        EndpointName=endpoints[0],
        Body=json.dumps({"features": [1, 2, 3]}).encode(),
        ContentType="application/json",
        Accept="application/json",
        CustomAttributes="trace=boto3",
    )
    out["invoke"] = {
        "ContentType": r.get("ContentType"),
        "InvokedProductionVariant": r.get("InvokedProductionVariant"),
        "CustomAttributes": r.get("CustomAttributes"),
        "Body": json.loads(r["Body"].read()),
    }

    # More models than one page holds: the paginator must follow NextToken.
    extra = [f"{prefix}-list-{i:02d}" for i in range(EXTRA_MODELS)]
    for name in extra:
        sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": ECHO_IMAGE})
    pages = list(sm.get_paginator("list_models").paginate(NameContains=f"{prefix}-list-"))
    out["listModels"] = {
        "pages": len(pages),
        "pageSizes": [len(p["Models"]) for p in pages],
        "names": [m["ModelName"] for p in pages for m in p["Models"]],
        "expected": extra,
    }
    pages = list(sm.get_paginator("list_models").paginate(PaginationConfig={"PageSize": 5}))
    out["listAllModels"] = {
        "pages": len(pages),
        "names": [m["ModelName"] for p in pages for m in p["Models"]],
        "expected": [model, *extra],
    }
    pages = list(
        sm.get_paginator("list_endpoints").paginate(NameContains=prefix, PaginationConfig={"PageSize": 1})
    )
    out["listEndpoints"] = {
        "pages": len(pages),
        "names": [e["EndpointName"] for p in pages for e in p["Endpoints"]],
        "statuses": [e["EndpointStatus"] for p in pages for e in p["Endpoints"]],
        "expected": endpoints,
    }

    arn = d["EndpointArn"]
    tags = {"created": sm.list_tags(ResourceArn=arn)["Tags"]}
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "test"}, {"Key": "team", "Value": "data"}])
    tags["afterAdd"] = sm.list_tags(ResourceArn=arn)["Tags"]
    sm.delete_tags(ResourceArn=arn, TagKeys=["team"])
    tags["afterDelete"] = sm.list_tags(ResourceArn=arn)["Tags"]
    out["tags"] = tags

    for name in endpoints:
        sm.delete_endpoint(EndpointName=name)
    deleted = sm.get_waiter("endpoint_deleted")
    for name in endpoints:
        deleted.wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    out["endpointsAfterDelete"] = [
        e["EndpointName"] for e in sm.list_endpoints(NameContains=prefix)["Endpoints"]
    ]
    sm.delete_endpoint_config(EndpointConfigName=config)
    for name in [model, *extra]:
        sm.delete_model(ModelName=name)
    out["modelsAfterDelete"] = [m["ModelName"] for m in sm.list_models(NameContains=prefix)["Models"]]
    emit(out)


if __name__ == "__main__":
    main()
