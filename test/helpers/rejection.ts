import assert from 'node:assert/strict';

/** An AWS SDK error, with the HTTP status the SDK saw. */
export type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

/** The error `p` rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  assert.fail('expected the call to fail');
}
