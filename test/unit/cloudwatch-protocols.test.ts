import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  ResourceNotFound,
  SetAlarmStateCommand,
  ValidationException,
} from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import pino from 'pino';
import {
  CLOUDWATCH_NAMESPACE,
  CLOUDWATCH_QUERY_ERRORS,
  internalServiceError,
  invalidFormat,
  invalidNextToken,
  invalidParameterCombination,
  invalidParameterValue,
  limitExceeded,
  missingParameter,
  resourceNotFound,
} from '../../src/cloudwatch/errors.js';
import { queryInput } from '../../src/protocol/aws-query.js';
import { Dispatcher, type RequestHandler } from '../../src/protocol/dispatcher.js';
import type { JsonOperation } from '../../src/protocol/json-service.js';
import { multiProtocolService } from '../../src/protocol/multi-protocol-service.js';
import { jsonEncoding, shapeOutput } from '../../src/protocol/output-shapes.js';
import { queryEncoding } from '../../src/protocol/query-xml.js';
import { cborEncoding } from '../../src/protocol/rpc-v2-cbor.js';
import { clientEnv, run } from '../helpers/external-clients.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL_PATH = path.join(ROOT, 'aws-models/cloudwatch/2010-08-01/service-2.json');
const PYTHON = path.join(ROOT, 'test/unit/python/cloudwatch_protocols.py');
const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const PREFIX = 'GraniteServiceVersion20100801';
const CBOR_PATH = (op: string) => `/service/${PREFIX}/operation/${op}`;

/** 2026-11-22T08:00:00Z, the first fake datapoint; the second is 60.25 s later (milliseconds survive). */
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0) / 1000;
const T1 = T0 + 60.25;

interface BotocoreModel {
  metadata: Record<string, unknown>;
  shapes: Record<string, { type: string; error?: { code?: string; httpStatusCode?: number; senderFault?: boolean }; members?: Record<string, unknown> }>;
}
const model = JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as BotocoreModel;

// ---- the fake operations and the server ----

/** The last input each operation received (as the validator passed it on). */
const inputs = new Map<string, Record<string, unknown>>();
/** How each request arrived. */
const requests: { path: string; contentType: string | undefined; smithyProtocol: string | undefined; target: string | undefined }[] = [];

const dims = [
  { Name: 'EndpointName', Value: 'ep' },
  { Name: 'VariantName', Value: 'AllTraffic' },
];

const operations = new Map<string, JsonOperation<undefined>>([
  ['GetMetricStatistics', (input) => {
    inputs.set('GetMetricStatistics', input);
    return {
      Label: 'Invocations',
      Secret: 'not modelled, dropped',
      Datapoints: [
        { Timestamp: T0, Sum: 5, Average: 2.5, SampleCount: 2, Unit: 'Count', ExtendedStatistics: { p99: 4.75 } },
        { Timestamp: T1, Sum: 0, Average: 0, SampleCount: 0, Unit: 'Count', Maximum: undefined },
      ],
    };
  }],
  ['DescribeAlarms', () => ({
    CompositeAlarms: [],
    NextToken: undefined,
    MetricAlarms: [{
      AlarmName: 'high',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:high',
      StateValue: 'ALARM',
      StateUpdatedTimestamp: T0,
      ActionsEnabled: true,
      AlarmActions: [],
      Threshold: 70.5,
      Dimensions: dims,
      Metrics: [{ Id: 'm1', ReturnData: true, MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Dimensions: dims }, Period: 60, Stat: 'Sum' } }],
    }],
  })],
  ['ListMetrics', () => {
    throw invalidParameterValue('The parameter Namespace is not allowed here.');
  }],
  ['SetAlarmState', (input) => {
    throw resourceNotFound(`Alarm ${String(input.AlarmName)} does not exist.`);
  }],
  // A handler bug: an output that does not fit its shape.
  ['DescribeAlarmsForMetric', () => ({ MetricAlarms: 'not a list' })],
  ['PutMetricAlarm', (input) => {
    inputs.set('PutMetricAlarm', input);
    return {};
  }],
  ['PutMetricData', (input) => {
    inputs.set('PutMetricData', input);
    return {};
  }],
]);

let server: http.Server;
let url: string;

before(async () => {
  const handler = multiProtocolService({
    service: 'cloudwatch',
    targetPrefix: PREFIX,
    jsonVersion: '1.0',
    apiVersion: '2010-08-01',
    xmlNamespace: XMLNS,
    smithyNamespace: CLOUDWATCH_NAMESPACE,
    queryErrors: CLOUDWATCH_QUERY_ERRORS,
    operations,
    context: () => undefined,
    log: pino({ level: 'silent' }),
  });
  const recorded: RequestHandler = (req, res, info) => {
    const header = (name: string) => req.headers[name] as string | undefined;
    requests.push({ path: req.url ?? '', contentType: header('content-type'), smithyProtocol: header('smithy-protocol'), target: header('x-amz-target') });
    handler(req, res, info);
  };
  let n = 0;
  // Registered the three ways the lead wires it: signed clients arrive by signing name, raw requests by target or path.
  const dispatcher = new Dispatcher('us-east-1', () => `req-${++n}`, (_req, res) => {
    res.statusCode = 404;
    res.end('fallback');
  })
    .signingService('monitoring', recorded)
    .targetPrefix(PREFIX, 'monitoring', recorded)
    .rpcV2Service(PREFIX, 'monitoring', recorded);
  server = http.createServer(dispatcher.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

// ---- helpers ----

interface Raw {
  status: number;
  headers: Headers;
  body: Buffer;
}

async function raw(pathAndQuery: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Raw> {
  const res = await fetch(`${url}${pathAndQuery}`, {
    method: init.method ?? 'POST',
    headers: init.headers,
    body: init.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const cbor = (op: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(CBOR_PATH(op), { headers: { 'Content-Type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor', ...headers }, body: Buffer.from(cborEncode(body)) });

/** Query requests look like any POST /: the dispatcher knows them by their signature's service (`monitoring`), as every SDK signs. */
const SIGNED = 'AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-1/monitoring/aws4_request, SignedHeaders=host, Signature=00';

const query = (form: string) =>
  raw('/', { headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', Authorization: SIGNED }, body: form });

/** The text of the first `<name>` element. */
const xmlText = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** Every tag number in one CBOR data item, which must span the whole buffer (definite lengths, no `undefined`). */
function cborTags(bytes: Uint8Array): number[] {
  const tags: number[] = [];
  let pos = 0;
  const argument = (info: number): number => {
    if (info < 24) {
      return info;
    }
    let v = 0;
    for (let i = 0; i < 2 ** (info - 24); i++) {
      v = v * 256 + bytes[pos++]!;
    }
    return v;
  };
  const item = (depth: number): void => {
    assert.ok(depth < 64 && pos < bytes.length, 'CBOR item truncated or too deep');
    const initial = bytes[pos++]!;
    const major = initial >> 5;
    const info = initial & 31;
    assert.ok(info < 28, `indefinite or reserved length at byte ${pos - 1}`);
    if (major === 7) {
      assert.notEqual(info, 23, 'CBOR undefined');
      assert.notEqual(info, 25, 'half-precision float');
      pos += info >= 24 ? 2 ** (info - 24) : 0;
      return;
    }
    const n = argument(info);
    if (major === 2 || major === 3) {
      pos += n;
    } else if (major === 4 || major === 5) {
      for (let i = 0; i < n * (major === 5 ? 2 : 1); i++) {
        item(depth + 1);
      }
    } else if (major === 6) {
      tags.push(n);
      item(depth + 1);
    }
  };
  item(0);
  assert.equal(pos, bytes.length, 'one CBOR item, nothing after it');
  return tags;
}

const cwClient = (protocol?: typeof AwsSmithyRpcV2CborProtocol | typeof AwsQueryProtocol) =>
  new CloudWatchClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
    ...(protocol ? { protocol } : {}),
  });

// ---- the JS SDK, in each of its protocols ----

describe('@aws-sdk/client-cloudwatch in JSON 1.0, RPC v2 CBOR and query', { timeout: 60_000 }, () => {
  const cases = [
    { name: 'JSON 1.0 (the client default)', protocol: undefined, contentType: 'application/x-amz-json-1.0' },
    { name: 'RPC v2 CBOR', protocol: AwsSmithyRpcV2CborProtocol, contentType: 'application/cbor' },
    { name: 'query', protocol: AwsQueryProtocol, contentType: 'application/x-www-form-urlencoded' },
  ] as const;

  for (const c of cases) {
    test(`${c.name}: values, timestamps as Date, lists, maps, empty output, modelled errors`, async () => {
      const cw = cwClient(c.protocol);
      try {
        requests.length = 0;
        const start = new Date(T0 * 1000);
        const stats = await cw.send(new GetMetricStatisticsCommand({
          Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Dimensions: dims,
          StartTime: start, EndTime: new Date((T0 + 300) * 1000), Period: 60, Statistics: ['Sum', 'Average'], ExtendedStatistics: ['p99'],
        }));
        assert.equal(requests[0]?.contentType, c.contentType, 'the client spoke the protocol under test');
        if (c.protocol === AwsSmithyRpcV2CborProtocol) {
          assert.equal(requests[0]?.path, CBOR_PATH('GetMetricStatistics'));
          assert.equal(requests[0]?.smithyProtocol, 'rpc-v2-cbor');
        }
        const seen = inputs.get('GetMetricStatistics')!;
        assert.equal(seen.StartTime, T0, 'the request timestamp reached the operation as epoch seconds');
        assert.deepEqual(seen.Dimensions, dims);
        assert.deepEqual(seen.Statistics, ['Sum', 'Average']);
        assert.equal(seen.Period, 60);

        assert.equal(stats.Label, 'Invocations');
        assert.equal(stats.Datapoints?.length, 2);
        const [d0, d1] = stats.Datapoints!;
        assert.ok(d0!.Timestamp instanceof Date);
        assert.equal(d0!.Timestamp.getTime(), T0 * 1000);
        assert.equal(d1!.Timestamp!.getTime(), T1 * 1000);
        assert.equal(d0!.Sum, 5);
        assert.equal(d0!.Average, 2.5);
        assert.equal(d1!.Sum, 0);
        assert.deepEqual(d0!.ExtendedStatistics, { p99: 4.75 });
        assert.equal(d1!.Maximum, undefined);
        assert.ok(!('Secret' in stats), 'unmodelled members are dropped');

        const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['high'] }));
        const alarm = alarms.MetricAlarms![0]!;
        assert.equal(alarm.StateUpdatedTimestamp!.getTime(), T0 * 1000);
        assert.equal(alarm.ActionsEnabled, true);
        assert.equal(alarm.Threshold, 70.5);
        assert.deepEqual(alarm.Dimensions, dims);
        assert.deepEqual(alarm.Metrics![0]!.MetricStat!.Metric!.Dimensions, dims);
        assert.equal(alarm.Metrics![0]!.MetricStat!.Period, 60);
        assert.deepEqual(alarm.AlarmActions, []);
        assert.deepEqual(alarms.CompositeAlarms, []);
        assert.equal(alarms.NextToken, undefined);

        const put = await cw.send(new PutMetricAlarmCommand({
          AlarmName: 'high', MetricName: 'Invocations', Namespace: 'AWS/SageMaker', Statistic: 'Sum', Period: 60,
          EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: 'GreaterThanThreshold', ActionsEnabled: false,
        }));
        assert.equal(put.$metadata.httpStatusCode, 200);
        assert.equal(inputs.get('PutMetricAlarm')?.ActionsEnabled, false);
        assert.equal(inputs.get('PutMetricAlarm')?.Threshold, 10);

        await cw.send(new PutMetricDataCommand({
          Namespace: 'Custom',
          EntityMetricData: [{ Entity: { KeyAttributes: { Type: 'Service', Name: 'svc' } }, MetricData: [{ MetricName: 'M', Value: 1.5, Timestamp: start }] }],
        }));
        assert.deepEqual(inputs.get('PutMetricData')?.EntityMetricData, [
          { Entity: { KeyAttributes: { Type: 'Service', Name: 'svc' } }, MetricData: [{ MetricName: 'M', Value: 1.5, Timestamp: T0 }] },
        ]);

        const invalid = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/SageMaker' })).then(() => undefined, (e: unknown) => e);
        assert.ok(invalid instanceof InvalidParameterValueException, `got ${String(invalid)}`);
        assert.equal(invalid.name, 'InvalidParameterValueException');
        assert.equal(invalid.message, 'The parameter Namespace is not allowed here.');
        assert.equal(invalid.$metadata.httpStatusCode, 400);
        assert.equal((invalid as unknown as { Code?: string }).Code, 'InvalidParameterValue');

        const missing = await cw.send(new SetAlarmStateCommand({ AlarmName: 'none', StateValue: 'OK', StateReason: 'r' })).then(() => undefined, (e: unknown) => e);
        assert.ok(missing instanceof ResourceNotFound, `got ${String(missing)}`);
        assert.equal(missing.$metadata.httpStatusCode, 404);
        assert.equal(missing.message, 'Alarm none does not exist.');

        const invalidInput = await cw.send(new GetMetricStatisticsCommand({
          Namespace: 'AWS/SageMaker', MetricName: 'x'.repeat(300), StartTime: start, EndTime: start, Period: 60, Statistics: ['Sum'],
        })).then(() => undefined, (e: unknown) => e);
        assert.ok(invalidInput instanceof ValidationException, `got ${String(invalidInput)}`);
        assert.match(invalidInput.message, /^1 validation error detected: Value '.*' at 'metricName' failed to satisfy constraint: Member must have length less than or equal to 255$/);
      } finally {
        cw.destroy();
      }
    });
  }
});

// ---- boto3 ----

describe('boto3 in JSON 1.0 (its default), RPC v2 CBOR and query', { timeout: 120_000 }, () => {
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-cw-protocols-'));
    // botocore reads models from AWS_DATA_PATH before its own: the same model, but with only the protocol under test.
    for (const protocol of ['query', 'smithy-rpc-v2-cbor']) {
      const dir = path.join(scratch, protocol, 'cloudwatch', '2010-08-01');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'service-2.json'), JSON.stringify({ ...model, metadata: { ...model.metadata, protocol, protocols: [protocol] } }));
    }
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const cases = [
    { name: 'JSON 1.0', dataPath: undefined, protocol: 'json', contentType: 'application/x-amz-json-1.0' },
    { name: 'RPC v2 CBOR', dataPath: 'smithy-rpc-v2-cbor', protocol: 'smithy-rpc-v2-cbor', contentType: 'application/cbor' },
    { name: 'query', dataPath: 'query', protocol: 'query', contentType: 'application/x-www-form-urlencoded; charset=utf-8' },
  ] as const;

  for (const c of cases) {
    test(`${c.name}: values, datetimes, lists, maps, empty output, error codes`, async () => {
      requests.length = 0;
      const env = clientEnv(url, scratch, 'x');
      if (c.dataPath) {
        env.AWS_DATA_PATH = path.join(scratch, c.dataPath);
      }
      const r = await run('python3', [PYTHON, String(T0)], env, 60_000);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(report.protocol, c.protocol);
      assert.equal(requests[0]?.contentType, c.contentType);

      assert.equal(report.label, 'Invocations');
      assert.deepEqual(report.datapoints, [
        { timestamp: { type: 'datetime', epoch: T0 }, sum: 5, average: 2.5, unit: 'Count', extended: { p99: 4.75 } },
        { timestamp: { type: 'datetime', epoch: T1 }, sum: 0, average: 0, unit: 'Count', extended: null },
      ]);
      assert.equal(inputs.get('GetMetricStatistics')?.StartTime, T0);
      assert.deepEqual(report.alarm, {
        name: 'high',
        updated: { type: 'datetime', epoch: T0 },
        actionsEnabled: true,
        threshold: 70.5,
        dimensions: dims,
        metricDimensions: dims,
        period: 60,
        alarmActions: [],
        composite: [],
        nextToken: null,
      });
      assert.deepEqual(report.putAlarmKeys, ['ResponseMetadata']);
      assert.deepEqual(inputs.get('PutMetricData')?.EntityMetricData, [
        { Entity: { KeyAttributes: { Type: 'Service', Name: 'svc' } }, MetricData: [{ MetricName: 'M', Value: 1.5, Timestamp: T0 }] },
      ]);
      assert.deepEqual(report.invalidParameterValue, {
        class: 'InvalidParameterValueException', code: 'InvalidParameterValue', message: 'The parameter Namespace is not allowed here.', type: 'Sender', status: 400,
      });
      assert.deepEqual(report.resourceNotFound, { class: 'ResourceNotFound', code: 'ResourceNotFound', message: 'Alarm none does not exist.', type: 'Sender', status: 404 });
      const validation = report.validation as Record<string, unknown>;
      assert.equal(validation.code, 'ValidationError');
      assert.equal(validation.status, 400);
      assert.match(String(validation.message), /at 'metricName' failed to satisfy constraint: Member must have length less than or equal to 255$/);
    });
  }
});

// ---- raw requests: the edges no SDK sends ----

describe('edge cases on the wire', { timeout: 30_000 }, () => {
  test('a CBOR body that is not CBOR gets a CBOR error (ValidationError), never JSON', async () => {
    const r = await raw(CBOR_PATH('GetMetricStatistics'), { headers: { 'Content-Type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' }, body: Buffer.from([0xa1, 0x61]) });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/cbor');
    assert.equal(r.headers.get('smithy-protocol'), 'rpc-v2-cbor');
    assert.equal(r.headers.get('x-amzn-query-error'), 'ValidationError;Sender');
    assert.equal(r.headers.get('x-amzn-errortype'), null, 'RPC v2 CBOR answers SHOULD NOT carry X-Amzn-ErrorType');
    const body = cborDecode(r.body) as Record<string, unknown>;
    assert.equal(body.__type, 'com.amazonaws.cloudwatch#ValidationException');
    assert.match(String(body.message), /^The request body is not valid CBOR/);
  });

  test('CBOR items RPC v2 does not use, a non-map body, and an unknown operation: CBOR errors', async () => {
    const set = await cbor('GetMetricStatistics', { Namespace: 'n', Statistics: new Set(['Sum']) });
    assert.equal(set.status, 400);
    assert.match(String((cborDecode(set.body) as Record<string, unknown>).message), /does not use/);
    const text = await cbor('GetMetricStatistics', 'just a string');
    assert.equal((cborDecode(text.body) as Record<string, unknown>).message, 'The request body must be a CBOR map.');
    const unknown = await cbor('DeleteDashboards', {});
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get('content-type'), 'application/cbor');
    assert.equal((cborDecode(unknown.body) as Record<string, unknown>).__type, 'UnknownOperationException');
    const targeted = await cbor('GetMetricStatistics', {}, { 'X-Amz-Target': `${PREFIX}.GetMetricStatistics` });
    assert.equal(targeted.headers.get('content-type'), 'application/cbor');
    assert.match(String((cborDecode(targeted.body) as Record<string, unknown>).message), /must not carry an X-Amz-Target/);
  });

  test('a CBOR answer: only tag 1 (timestamps), definite lengths; an operation without output answers no body', async () => {
    const r = await cbor('GetMetricStatistics', {
      Namespace: 'AWS/SageMaker', MetricName: 'Invocations', StartTime: new Date(T0 * 1000), EndTime: new Date((T0 + 60) * 1000), Period: 60,
    });
    assert.equal(r.status, 200);
    assert.deepEqual(cborTags(r.body), [1, 1]);
    const body = cborDecode(r.body) as { Datapoints: { Timestamp: Date }[] };
    assert.equal(body.Datapoints[1]!.Timestamp.getTime(), T1 * 1000);
    const put = await cbor('PutMetricAlarm', {
      AlarmName: 'a', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold',
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.length, 0);
    assert.equal(put.headers.get('content-type'), null);
    assert.equal(put.headers.get('smithy-protocol'), 'rpc-v2-cbor');
  });

  test('an unexpected failure is InternalFailure (500, Receiver) in the protocol of the request', async () => {
    const asked = { Namespace: 'n', MetricName: 'm' };
    const c = await cbor('DescribeAlarmsForMetric', asked);
    assert.equal(c.status, 500);
    assert.equal(c.headers.get('x-amzn-query-error'), 'InternalFailure;Receiver');
    assert.deepEqual(cborDecode(c.body), { __type: 'InternalFailure', message: 'An internal error occurred.' });
    const j = await raw('/', { headers: { 'X-Amz-Target': `${PREFIX}.DescribeAlarmsForMetric`, 'Content-Type': 'application/x-amz-json-1.0' }, body: JSON.stringify(asked) });
    assert.equal(j.status, 500);
    assert.equal(JSON.parse(j.body.toString()).__type, 'InternalFailure');
    const q = await query('Action=DescribeAlarmsForMetric&Version=2010-08-01&Namespace=n&MetricName=m');
    assert.equal(q.status, 500);
    assert.match(q.body.toString(), /<Error><Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
  });

  test('JSON with the wrong Content-Type, and a JSON validation failure: JSON errors with the query code', async () => {
    const wrongType = await raw('/', { headers: { 'X-Amz-Target': `${PREFIX}.GetMetricStatistics`, 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.headers.get('content-type'), 'application/x-amz-json-1.0');
    assert.equal(wrongType.headers.get('x-amzn-query-error'), 'ValidationError;Sender');
    const body = JSON.parse(wrongType.body.toString()) as Record<string, unknown>;
    assert.equal(body.__type, 'com.amazonaws.cloudwatch#ValidationException');
    assert.match(String(body.message), /Unsupported Content-Type "text\/plain"/);

    const invalid = await raw('/', {
      headers: { 'X-Amz-Target': `${PREFIX}.GetMetricStatistics`, 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ Namespace: 'n', MetricName: 'm', StartTime: T0, EndTime: T0, Period: 0 }),
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(JSON.parse(invalid.body.toString()), {
      __type: 'com.amazonaws.cloudwatch#ValidationException',
      message: "1 validation error detected: Value '0' at 'period' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });

    const unknown = await raw('/', { headers: { 'X-Amz-Target': `${PREFIX}.Nope`, 'Content-Type': 'application/x-amz-json-1.0' }, body: '{}' });
    assert.equal(JSON.parse(unknown.body.toString()).__type, 'UnknownOperationException');
  });

  test('query: an unknown Action, a wrong Version, no Action', async () => {
    const unknown = await query('Action=DescribeDashboards&Version=2010-08-01');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get('content-type'), 'text/xml');
    const xml = unknown.body.toString();
    assert.match(xml, /^<ErrorResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);
    assert.equal(xmlText(xml, 'Message'), 'Could not find operation DescribeDashboards for version 2010-08-01');
    assert.equal(xmlText(xml, 'RequestId'), unknown.headers.get('x-amzn-requestid'));

    const version = await query('Action=GetMetricStatistics&Version=2099-01-01');
    assert.equal(xmlText(version.body.toString(), 'Code'), 'InvalidAction');
    const none = await query('Version=2010-08-01');
    assert.equal(xmlText(none.body.toString(), 'Code'), 'MissingAction');
  });

  test('query: values that do not parse as their type are MalformedInput; a constraint failure is ValidationError', async () => {
    const base = 'Action=GetMetricStatistics&Version=2010-08-01&Namespace=n&MetricName=m';
    const period = await query(`${base}&StartTime=2026-11-22T08:00:00Z&EndTime=2026-11-22T08:05:00Z&Period=sixty`);
    assert.equal(period.status, 400);
    assert.equal(xmlText(period.body.toString(), 'Code'), 'MalformedInput');
    const nanos = await query(`${base}&StartTime=2026-11-22T08:00:00.123456789Z&EndTime=2026-11-22T08:05:00Z&Period=60`);
    assert.equal(xmlText(nanos.body.toString(), 'Message'), 'timestamp must follow ISO8601');
    const invalid = await query(`${base}&StartTime=2026-11-22T08:00:00Z&EndTime=2026-11-22T08:05:00Z&Period=0`);
    assert.equal(xmlText(invalid.body.toString(), 'Code'), 'ValidationError');
  });

  test('query: the XML answer has the result wrapper, members, maps, ISO times with ms; no output is the bare response', async () => {
    const r = await query(
      'Action=GetMetricStatistics&Version=2010-08-01&Namespace=n&MetricName=m&StartTime=2026-11-22T08:00:00Z&EndTime=2026-11-22T08:05:00Z&Period=60&Statistics.member.1=Sum',
    );
    assert.equal(r.status, 200);
    const xml = r.body.toString();
    assert.match(xml, /^<GetMetricStatisticsResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><GetMetricStatisticsResult><Label>Invocations<\/Label><Datapoints><member><Timestamp>2026-11-22T08:00:00\.000Z<\/Timestamp>/);
    assert.match(xml, /<Timestamp>2026-11-22T08:01:00\.250Z<\/Timestamp>/);
    assert.match(xml, /<ExtendedStatistics><entry><key>p99<\/key><value>4\.75<\/value><\/entry><\/ExtendedStatistics>/);
    assert.match(xml, /<\/GetMetricStatisticsResult><ResponseMetadata><RequestId>req-\d+<\/RequestId><\/ResponseMetadata><\/GetMetricStatisticsResponse>$/);
    assert.doesNotMatch(xml, /Secret/);

    const put = await query('Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a&EvaluationPeriods=1&ComparisonOperator=GreaterThanThreshold');
    assert.match(put.body.toString(), /^<PutMetricAlarmResponse xmlns="[^"]+"><ResponseMetadata><RequestId>req-\d+<\/RequestId><\/ResponseMetadata><\/PutMetricAlarmResponse>$/);
  });
});

// ---- the pieces, without a server ----

describe('the query parameters, the output walk, the error table', { timeout: 10_000 }, () => {
  test('query parameters become the JSON-form input along the input shape', () => {
    const params = new Map([
      ['Namespace', 'AWS/SageMaker'],
      ['MetricName', 'Invocations'],
      ['Dimensions.member.2.Name', 'VariantName'],
      ['Dimensions.member.2.Value', 'AllTraffic'],
      ['Dimensions.member.1.Name', 'EndpointName'],
      ['Dimensions.member.1.Value', 'ep'],
      ['StartTime', '2026-11-22T08:00:00Z'],
      ['EndTime', '2026-11-22T09:00:00.5+01:00'],
      ['Period', '60'],
      ['Statistics', ''],
      ['Unknown.member.1', 'ignored'],
    ]);
    assert.deepEqual(queryInput('cloudwatch', 'GetMetricStatistics', params), {
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'EndpointName', Value: 'ep' }, { Name: 'VariantName', Value: 'AllTraffic' }],
      StartTime: T0,
      EndTime: T0 + 0.5,
      Period: 60,
      Statistics: [],
    });
    const alarm = queryInput('cloudwatch', 'PutMetricAlarm', new Map([['ActionsEnabled', 'FALSE'], ['Threshold', '-1.5e2'], ['StateValue', 'x']]));
    assert.deepEqual(alarm, { ActionsEnabled: false, Threshold: -150 });
    assert.throws(() => queryInput('cloudwatch', 'PutMetricAlarm', new Map([['ActionsEnabled', 'yes']])), { code: 'MalformedInput' });
    assert.throws(() => queryInput('cloudwatch', 'PutMetricAlarm', new Map([['Threshold', '1,5']])), { code: 'MalformedInput' });
  });

  test('the output walk drops unmodelled members, omits absent ones, and writes times, lists, maps per protocol', () => {
    const output = { Label: 'l', Extra: 1, Datapoints: [{ Timestamp: T1, Average: Number.NaN, ExtendedStatistics: { p50: 1 }, Unit: undefined }] };
    assert.deepEqual(shapeOutput('cloudwatch', 'GetMetricStatistics', output, jsonEncoding), {
      Label: 'l', Datapoints: [{ Timestamp: T1, Average: 'NaN', ExtendedStatistics: { p50: 1 } }],
    });
    assert.deepEqual(shapeOutput('cloudwatch', 'GetMetricStatistics', output, cborEncoding), {
      Label: 'l', Datapoints: [{ Timestamp: new Date(T1 * 1000), Average: Number.NaN, ExtendedStatistics: { p50: 1 } }],
    });
    assert.deepEqual(shapeOutput('cloudwatch', 'GetMetricStatistics', output, queryEncoding), {
      Label: 'l',
      Datapoints: { member: [{ Timestamp: '2026-11-22T08:01:00.250Z', Average: 'NaN', ExtendedStatistics: { entry: [{ key: 'p50', value: 1 }] } }] },
    });
    assert.equal(shapeOutput('cloudwatch', 'PutMetricAlarm', {}, jsonEncoding), undefined);
    assert.throws(() => shapeOutput('cloudwatch', 'GetMetricStatistics', { Datapoints: 'x' }, jsonEncoding), /Datapoints should be a list/);
  });

  test('the error table and factories match the model: query code, status; the query parser assumptions hold', () => {
    for (const [code, { shape }] of CLOUDWATCH_QUERY_ERRORS) {
      if (code === 'ValidationError') {
        continue; // in CloudWatch's current model only (the JS SDK's ValidationException, exercised above)
      }
      assert.equal(model.shapes[shape]?.error?.code, code, shape);
    }
    for (const err of [
      invalidParameterValue('m'), invalidParameterCombination('m'), missingParameter('m'), resourceNotFound('m'),
      limitExceeded('m'), invalidNextToken('m'), invalidFormat('m'), internalServiceError(),
    ]) {
      const shape = model.shapes[CLOUDWATCH_QUERY_ERRORS.get(err.code)!.shape]!;
      assert.equal(err.status, shape.error?.httpStatusCode, err.code);
      assert.equal(err.fault === 'client', shape.error?.senderFault === true, err.code);
    }
    assert.equal(model.metadata.xmlNamespace, XMLNS);
    assert.equal(model.metadata.targetPrefix, PREFIX);
    const text = JSON.stringify(model.shapes);
    for (const trait of ['locationName', 'flattened', 'xmlAttribute', 'queryName', 'timestampFormat']) {
      assert.ok(!text.includes(`"${trait}"`), `the query parser and writer assume no ${trait} trait`);
    }
  });
});
