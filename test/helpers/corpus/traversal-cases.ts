import { jsonAnswer } from './checks.js';
import type { Rng } from './prng.js';
import { json11 } from './requests.js';
import type { CorpusCase, CorpusContext } from './types.js';

/**
 * Traversal through the control plane: `file://` ModelDataUrls and S3 URLs
 * with `..`, resource names and ARNs with `..`, NUL and separators. None of
 * these may write anything (CreateModel only records the URL; the
 * extraction itself is covered by test/unit/corpus-tarball.test.ts).
 */
export function traversalCases(rng: Rng, ctx: CorpusContext, count: number): CorpusCase[] {
  const m = ctx.marker;
  const urls = [
    'file:///etc/passwd', `file://../../${m}-url`, `file:///tmp/${m}/../../etc/shadow`, 'file:///proc/self/environ', 'file:///dev/zero',
    `file://${'/..'.repeat(40)}/etc/passwd`, 'file:', 'file://', 'file:///', `s3://bucket/../../${m}-s3url`, 's3://../x', 's3:///', `s3://${m}/%2e%2e/%2e%2e/x`,
    `/../../${m}-path`, `../${m}-rel`, 'http://169.254.169.254/latest/meta-data/', 'https://', `file:///tmp/${m}%00.tar.gz`, `file:///tmp/${m}\u0000.tar.gz`,
    `${'a'.repeat(1025)}`, 'C:\\Windows\\system32', '\\\\server\\share\\model.tar.gz',
  ];
  const names = [`..`, `../${m}`, `${m}/..`, `%2e%2e`, `${m}\u0000x`, `${m}\\..\\x`, `${m}%2F..`, `.${m}`, `/${m}`];
  const cases: CorpusCase[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.pick(['model-url', 'model-name', 'describe', 'arn'] as const);
    const name = rng.pick(names);
    let op: string;
    let input: Record<string, unknown>;
    switch (kind) {
      case 'model-url':
        op = 'CreateModel';
        input = { ModelName: `${m}-tv-${i}`, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'corpus/none:1', ModelDataUrl: rng.pick(urls) } };
        break;
      case 'model-name':
        op = rng.pick(['CreateModel', 'CreateEndpointConfig']);
        input = op === 'CreateModel'
          ? { ModelName: name, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'corpus/none:1' } }
          : { EndpointConfigName: name, ProductionVariants: [{ VariantName: name, ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] };
        break;
      case 'describe':
        op = rng.pick(['DescribeModel', 'DescribeEndpoint', 'DeleteEndpoint', 'DescribeEndpointConfig']);
        input = { [op.includes('Config') ? 'EndpointConfigName' : op.includes('Model') ? 'ModelName' : 'EndpointName']: name };
        break;
      case 'arn':
        op = rng.pick(['AddTags', 'ListTags', 'DeleteTags']);
        input = { ResourceArn: `arn:aws:sagemaker:${rng.pick(['us-east-1', '..', `../../${m}`])}:123456789012:${rng.pick(['model', 'endpoint', '..'])}/${name}`, Tags: [{ Key: 'k', Value: 'v' }], TagKeys: ['k'] };
        break;
    }
    cases.push({ id: `tv-${i}-${kind}-${op}`, family: 'traversal', request: json11(`SageMaker.${op}`, JSON.stringify(input)), expect: jsonAnswer('json') });
  }
  return cases;
}
