/** One generated request of the hostile-input corpus and what its answer must be. */
export interface RawRequest {
  method: string;
  /** The request target exactly as sent (already percent-encoded where wanted). */
  path: string;
  /** Sent byte for byte (latin1), so values may hold CR/LF or NUL: that is the point of some cases. */
  headers: [string, string][];
  body: Buffer;
}

export interface Answer {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Every header line as received, for the header-injection checks. */
  rawHeaderNames: string[];
  body: Buffer;
}

export type Family =
  | 'control-plane'
  | 'target'
  | 'runtime'
  | 's3'
  | 'sigv4'
  | 'header-injection'
  | 'traversal';

export interface CorpusCase {
  id: string;
  family: Family;
  request: RawRequest;
  /** A problem with the answer, or undefined when it is right. */
  expect: (answer: Answer) => string | undefined;
}

/** What the generators need from the run: names that exist, and the marker for traversal targets. */
export interface CorpusContext {
  /** Unique per run: every traversal target's file name contains it, so a leak is findable anywhere. */
  marker: string;
  /** A bucket the test created (for S3 cases that need one to exist). */
  bucket: string;
  /** The endpoint created before the corpus: runtime cases never send a valid payload to it that could change it. */
  endpoint: string;
}
