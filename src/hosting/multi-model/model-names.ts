import { createHash } from 'node:crypto';

/**
 * The name a model goes by inside the container: the directory under
 * /opt/ml/models and the `{model_name}` of the /models routes. SageMaker
 * treats it as opaque (docs/aws-contract.md §8.2), so it need not equal the
 * TargetModel: it keeps the TargetModel's readable characters, replaces the
 * rest (a `/` in `team-x/e.tar.gz` would be a path segment) and adds a short
 * hash so that two TargetModels never share a name.
 */
export function containerModelName(targetModel: string): string {
  const readable = targetModel.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '').slice(0, 80);
  const hash = createHash('sha256').update(targetModel).digest('hex').slice(0, 10);
  return readable ? `${readable}-${hash}` : hash;
}
