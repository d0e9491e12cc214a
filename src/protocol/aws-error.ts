/**
 * An error as an AWS service puts it on the wire: a code (`__type` and the
 * `x-amzn-ErrorType` header), an HTTP status and the side at fault
 * (docs/architecture.md decision 2; docs/aws-contract.md §2.3, §3.4). Only the error boundary
 * turns these into responses.
 */
export type Fault = 'client' | 'server';

export interface AwsErrorOptions {
  status?: number;
  fault?: Fault;
  /** Modeled members that travel in the body beside `message` (e.g. ModelError's OriginalStatusCode). */
  members?: Record<string, unknown>;
  /**
   * Some real errors carry no error type at all, only a status and a message
   * (InvokeEndpoint's 413 "HTTP content length exceeded …"): clients then report
   * the status code as the error code, and so must we.
   */
  untyped?: boolean;
  /** The real throttling answer has `{"message":null}` (docs/aws-contract.md §3.4). */
  nullMessage?: boolean;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: Fault;
  readonly members: Record<string, unknown>;
  readonly untyped: boolean;
  readonly nullMessage: boolean;

  constructor(code: string, message: string, options: AwsErrorOptions = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? (this.status >= 500 ? 'server' : 'client');
    this.members = options.members ?? {};
    this.untyped = options.untyped ?? false;
    this.nullMessage = options.nullMessage ?? false;
  }
}
