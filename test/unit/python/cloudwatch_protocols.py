"""boto3's CloudWatch client against the fake operations of test/unit/cloudwatch-protocols.test.ts.

Usage: cloudwatch_protocols.py T0 (epoch seconds of the fake datapoints). The
endpoint and credentials come from the environment (AWS_ENDPOINT_URL, …);
AWS_DATA_PATH may hold a CloudWatch model whose `protocols` force the query or
the CBOR protocol. Prints one JSON document of what boto3 saw.
"""

import datetime
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def stamp(value):
    """A datetime as epoch seconds, with its type, so the test sees boto3 parsed a timestamp."""
    return {"type": type(value).__name__, "epoch": value.timestamp()}


def error(call):
    try:
        call()
    except ClientError as err:
        return {
            "class": type(err).__name__,
            "code": err.response["Error"]["Code"],
            "message": err.response["Error"]["Message"],
            "type": err.response["Error"].get("Type"),
            "status": err.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


def main():
    t0 = float(sys.argv[1])
    start = datetime.datetime.fromtimestamp(t0, tz=datetime.timezone.utc)
    cw = boto3.client("cloudwatch", config=Config(retries={"max_attempts": 1}))
    report = {"protocol": cw.meta.service_model.resolved_protocol}

    stats = cw.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="Invocations",
        Dimensions=[{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "AllTraffic"}],
        StartTime=start,
        EndTime=start + datetime.timedelta(minutes=5),
        Period=60,
        Statistics=["Sum", "Average"],
        ExtendedStatistics=["p99"],
    )
    report["label"] = stats["Label"]
    report["datapoints"] = [
        {"timestamp": stamp(d["Timestamp"]), "sum": d["Sum"], "average": d["Average"], "unit": d["Unit"],
         "extended": d.get("ExtendedStatistics")}
        for d in stats["Datapoints"]
    ]

    alarms = cw.describe_alarms(AlarmNames=["high"])
    alarm = alarms["MetricAlarms"][0]
    report["alarm"] = {
        "name": alarm["AlarmName"],
        "updated": stamp(alarm["StateUpdatedTimestamp"]),
        "actionsEnabled": alarm["ActionsEnabled"],
        "threshold": alarm["Threshold"],
        "dimensions": alarm["Dimensions"],
        "metricDimensions": alarm["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"],
        "period": alarm["Metrics"][0]["MetricStat"]["Period"],
        "alarmActions": alarm.get("AlarmActions"),
        "composite": alarms.get("CompositeAlarms"),
        "nextToken": alarms.get("NextToken"),
    }

    put = cw.put_metric_alarm(
        AlarmName="high", MetricName="Invocations", Namespace="AWS/SageMaker", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=10.0, ComparisonOperator="GreaterThanThreshold", ActionsEnabled=False,
    )
    report["putAlarmKeys"] = sorted(put.keys())

    cw.put_metric_data(
        Namespace="Custom",
        EntityMetricData=[{
            "Entity": {"KeyAttributes": {"Type": "Service", "Name": "svc"}},
            "MetricData": [{"MetricName": "M", "Value": 1.5, "Timestamp": start}],
        }],
    )

    report["invalidParameterValue"] = error(lambda: cw.list_metrics(Namespace="AWS/SageMaker"))
    report["resourceNotFound"] = error(lambda: cw.set_alarm_state(AlarmName="none", StateValue="OK", StateReason="r"))
    report["validation"] = error(lambda: cw.get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="x" * 300, StartTime=start, EndTime=start, Period=60, Statistics=["Sum"]))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
