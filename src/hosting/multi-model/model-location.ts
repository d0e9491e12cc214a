import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where a TargetModel lives: SageMaker joins the model's ModelDataUrl prefix
 * and the relative TargetModel (docs/aws-contract.md §8.2). For S3 the key is
 * taken as it is (`..` is an ordinary key character there); for a local
 * directory the path must stay inside the prefix. Undefined when it would not.
 */
export function targetModelUrl(prefix: string, targetModel: string): string | undefined {
  if (prefix.startsWith('s3://') || prefix.startsWith('https://') || prefix.startsWith('http://')) {
    return prefix.endsWith('/') ? `${prefix}${targetModel}` : `${prefix}/${targetModel}`;
  }
  const root = path.resolve(prefix.startsWith('file://') ? fileURLToPath(prefix) : prefix);
  const target = path.resolve(root, targetModel);
  if (!target.startsWith(root + path.sep)) {
    return undefined;
  }
  return pathToFileURL(target).href;
}
