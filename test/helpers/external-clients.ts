import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Running the real external clients (the AWS CLI, python3 scripts with boto3)
 * against a test emulator: one place for the child-process wrapper and for
 * the environment that configures the clients, shared by every test file
 * that uses them.
 */

/** test/integration/python/, from dist/test/helpers/ (the scripts are not compiled). */
export const PYTHON_DIR = fileURLToPath(new URL('../../../test/integration/python/', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (bounded by `timeoutMs`); a non-zero exit is a result, not an error. */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`${file} ${args.join(' ')} did not run: ${err.message}\n${stderr}`));
        return;
      }
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/**
 * The environment of a client pointed at `url`: everything from the
 * environment only, nothing from the user's ~/.aws (profiles, session tokens
 * and a region of their own are dropped; the config files point into `scratch`).
 */
export function clientEnv(url: string, scratch: string, key = 'test'): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _p, AWS_SESSION_TOKEN: _t, AWS_REGION: _r, ...rest } = process.env;
  return {
    ...rest,
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: key,
    AWS_SECRET_ACCESS_KEY: key,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(scratch, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}
