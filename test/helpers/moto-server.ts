import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from './free-port.js';
import { answers200, startServerProcess } from './server-process.js';

/**
 * An SNS server for tests. moto's server mode (a real SNS, with SQS beside it so
 * a test can subscribe a queue and read what was delivered) when python3 can
 * import moto; otherwise a recording server that only answers Publish.
 * SME_TEST_SNS=moto makes a missing moto an error instead of a fallback (for CI).
 */

export interface RunningMoto {
  url: string;
  /** Kills moto and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RecordedPublish {
  topicArn: string;
  message: string;
  /** Every form field of the request, as sent. */
  params: Record<string, string>;
}

export interface RecordingSnsServer {
  url: string;
  /** The Publish calls received, oldest first. */
  readonly published: RecordedPublish[];
  stop(): Promise<void>;
}

export type SnsServer = ({ kind: 'moto' } & RunningMoto) | ({ kind: 'recording' } & RecordingSnsServer);

/** Whether `python3 -c "import moto.server"` works; bounded, as a broken Python can hang. */
export function motoAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('python3', ['-c', 'import moto.server'], { timeout: 20_000 }, (err) => resolve(!err));
  });
}

export async function startSnsServer(): Promise<SnsServer> {
  if (await motoAvailable()) {
    return { kind: 'moto', ...(await startMotoServer()) };
  }
  if (process.env.SME_TEST_SNS === 'moto') {
    throw new Error('SME_TEST_SNS=moto but python3 cannot import moto.server (pip install "moto[server]")');
  }
  return { kind: 'recording', ...(await startRecordingSnsServer()) };
}

export async function startMotoServer(): Promise<RunningMoto> {
  let lastError: Error | undefined;
  // A free port can be taken between the probe and moto's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launchMoto(await freePort());
    } catch (err) {
      lastError = err as Error;
      if (!/address already in use/i.test(lastError.message)) {
        break;
      }
    }
  }
  throw lastError ?? new Error('moto did not start');
}

async function launchMoto(port: number): Promise<RunningMoto> {
  const url = `http://127.0.0.1:${port}`;
  const moto = await startServerProcess('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    name: 'moto',
    probeUrl: `${url}/moto-api/`,
    ready: answers200(`${url}/moto-api/`),
    timeoutMs: 15_000,
    graceMs: 5000,
    killOnTestExit: true,
  });
  return { url, stop: moto.stop };
}

/**
 * Answers SNS Publish the way SNS does. SNS speaks only the AWS query protocol
 * (aws-models/sns: "protocols":["query"]), and @aws-sdk/client-sns sends it:
 * a form-encoded POST with Action=Publish&Version=2010-03-31&TopicArn=…&Message=….
 * Anything else gets a query-protocol error, so a change of protocol fails loudly.
 */
export async function startRecordingSnsServer(): Promise<RecordingSnsServer> {
  const published: RecordedPublish[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const requestId = randomUUID();
      res.setHeader('content-type', 'text/xml');
      res.setHeader('x-amzn-requestid', requestId);
      if (req.method !== 'POST' || params.Action !== 'Publish' || !params.TopicArn || params.Message === undefined) {
        res.statusCode = 400;
        res.end(
          `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code>` +
            `<Message>the recording SNS server answers Publish only (got ${escapeXml(params.Action ?? req.method ?? '?')})</Message></Error>` +
            `<RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
        return;
      }
      published.push({ topicArn: params.TopicArn, message: params.Message, params });
      res.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    published,
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
