"""Target tracking on a SageMaker endpoint, end to end, with nothing but boto3.

Run the emulator with short metric periods, then this script:

    SME_METRIC_PERIOD_SECONDS=1 npm start          # or: make demo
    AWS_ENDPOINT_URL=http://127.0.0.1:8181 AWS_ACCESS_KEY_ID=test \
    AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
    python3 examples/autoscaling_boto3.py

It creates an endpoint (one ml.m5.large instance of the sample echo model),
registers it with Application Auto Scaling (1 to 3 instances), puts a
target-tracking policy on SageMakerVariantInvocationsPerInstance, then sends
load until the variant has scaled out, stops, and waits for it to scale back
in. It prints one JSON document: failed requests, the instance counts seen,
and the scaling activities, which tell the story. Every wait is bounded.

Arguments (all optional): NAME (default "autoscaling-demo"), TARGET (the
policy's TargetValue: invocations per instance per metric period, default 5),
RATE (requests per second while loading, default 40).
"""

import json
import sys
import threading
import time

import boto3

IMAGE = "sagemaker-emulator/echo-model:latest"
ROLE = "arn:aws:iam::123456789012:role/demo"
WAIT_SECONDS = 120


def wait_for(what, check, timeout=WAIT_SECONDS, every=0.5):
    """Polls check() until it returns something truthy; raises after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class Load:
    """Threads that send InvokeEndpoint at about `rate` requests per second until stopped."""

    def __init__(self, endpoint, rate, threads=4):
        self.endpoint, self.interval, self.threads = endpoint, threads / rate, threads
        self.sent = self.failed = 0
        self.errors = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.workers = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def run(self):
        runtime = boto3.client("sagemaker-runtime")
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                runtime.invoke_endpoint(EndpointName=self.endpoint, ContentType="application/json", Body=b'{"x": 1}')
                with self.lock:
                    self.sent += 1
            except Exception as err:  # noqa: BLE001 - every failure is reported
                with self.lock:
                    self.sent += 1
                    self.failed += 1
                    self.errors.append(str(err)[:200])
            self.stopping.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def __enter__(self):
        for w in self.workers:
            w.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for w in self.workers:
            w.join(timeout=30)


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "autoscaling-demo"
    target = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 40.0
    sm = boto3.client("sagemaker")
    aas = boto3.client("application-autoscaling")
    resource_id = f"endpoint/{name}/variant/AllTraffic"
    dimension = "sagemaker:variant:DesiredInstanceCount"

    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    wait_for("InService", lambda: sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService")

    def instances():
        return sm.describe_endpoint(EndpointName=name)["ProductionVariants"][0].get("CurrentInstanceCount")

    # 1. The variant becomes a scalable target, 1 to 3 instances.
    aas.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=resource_id, ScalableDimension=dimension, MinCapacity=1, MaxCapacity=3
    )
    # 2. Target tracking: keep each instance at `target` invocations per metric period.
    policy = aas.put_scaling_policy(
        PolicyName=f"{name}-invocations",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=dimension,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": target,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "ScaleOutCooldown": 5,
            "ScaleInCooldown": 5,
        },
    )
    out = {"policyArn": policy["PolicyARN"], "alarms": [a["AlarmName"] for a in policy["Alarms"]], "counts": [instances()]}

    # 3. Load until the variant has scaled out to its maximum, then a little longer on the new instances.
    started = time.monotonic()
    with Load(name, rate) as load:
        out["scaledOut"] = wait_for("scale-out to 3 instances", lambda: instances() == 3)
        out["secondsToScaleOut"] = round(time.monotonic() - started, 1)
        out["counts"].append(instances())
        time.sleep(3)
    out["requests"], out["failed"], out["errors"] = load.sent, load.failed, load.errors[:5]

    # 4. No load: AlarmLow fires after its 15 periods and the variant scales back in.
    stopped = time.monotonic()
    out["scaledIn"] = wait_for("scale-in to 1 instance", lambda: instances() == 1)
    out["secondsToScaleIn"] = round(time.monotonic() - stopped, 1)
    out["counts"].append(instances())

    # 5. The story, newest first, once the last activity has ended.
    def settled():
        acts = aas.describe_scaling_activities(ServiceNamespace="sagemaker", ResourceId=resource_id)["ScalingActivities"]
        return acts if acts and acts[0]["StatusCode"] not in ("Pending", "InProgress") else None

    activities = wait_for("the last scaling activity to end", settled, timeout=30)
    out["activities"] = [
        {k: a.get(k) for k in ("Description", "Cause", "StatusCode", "StatusMessage", "StartTime", "EndTime")} for a in activities
    ]
    print(json.dumps(out, default=str, indent=2))


if __name__ == "__main__":
    main()
