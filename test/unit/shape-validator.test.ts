import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  compileJavaPattern,
  hasOperation,
  reachablePatterns,
  validateInput,
} from '../../src/protocol/shape-validator.js';
import { defaultModelPath, generateShapesJson, generatedShapesPath } from '../../scripts/generate-shapes.js';

const ENDPOINT_PATTERN = '[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';

/** A valid CreateEndpointConfig with one serverless and one instance variant. */
function endpointConfig(): Record<string, unknown> {
  return {
    EndpointConfigName: 'my-config',
    ProductionVariants: [
      {
        VariantName: 'serverless',
        ModelName: 'my-model',
        ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
      },
      {
        VariantName: 'instances',
        ModelName: 'my-model',
        InitialInstanceCount: 1,
        InstanceType: 'ml.m5.large',
        InitialVariantWeight: 1.5,
      },
    ],
    Tags: [{ Key: 'team', Value: 'ml' }],
  };
}

/** Asserts a single ValidationException message, prefix included. */
function assertOneError(operation: string, input: unknown, expected: string): void {
  assert.deepEqual(validateInput(operation, input), {
    kind: 'validation',
    message: `1 validation error detected: ${expected}`,
  });
}

describe('validateInput', () => {
  test('knows the modelled operations only', () => {
    assert.equal(hasOperation('CreateEndpointConfig'), true);
    assert.equal(hasOperation('CreateTrainingJob'), false);
    assert.equal(validateInput('CreateTrainingJob', {}), undefined);
  });

  test('accepts a valid CreateEndpointConfig with serverless and instance variants', () => {
    assert.equal(validateInput('CreateEndpointConfig', endpointConfig()), undefined);
  });

  test('ignores unknown members and treats null as absent', () => {
    assert.equal(validateInput('ListEndpoints', { Bogus: 1, MaxResults: null }), undefined);
    assert.equal(validateInput('ListEndpoints', undefined), undefined);
  });

  test('missing required EndpointName', () => {
    assertOneError(
      'CreateEndpoint',
      { EndpointConfigName: 'c' },
      "Value null at 'endpointName' failed to satisfy constraint: Member must not be null",
    );
  });

  test('EndpointName that breaks the pattern', () => {
    assertOneError(
      'DescribeEndpoint',
      { EndpointName: 'bad_name!' },
      `Value 'bad_name!' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ENDPOINT_PATTERN}`,
    );
  });

  test('EndpointName of 64 characters is too long', () => {
    // The pattern also caps the length at 63, so Coral reports both violations.
    const name = 'a'.repeat(64);
    assert.deepEqual(validateInput('DescribeEndpoint', { EndpointName: name }), {
      kind: 'validation',
      message:
        '2 validation errors detected: ' +
        `Value '${name}' at 'endpointName' failed to satisfy constraint: Member must have length less than or equal to 63; ` +
        `Value '${name}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ENDPOINT_PATTERN}`,
    });
  });

  test('ProductionVariants needs 1 to 10 entries', () => {
    const empty = validateInput('CreateEndpointConfig', { ...endpointConfig(), ProductionVariants: [] });
    assert.deepEqual(empty, {
      kind: 'validation',
      message:
        "1 validation error detected: Value '[]' at 'productionVariants' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    const variants = Array.from({ length: 11 }, (_, i) => ({ VariantName: `v${i}`, ModelName: 'm', ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 1 } }));
    const tooMany = validateInput('CreateEndpointConfig', { ...endpointConfig(), ProductionVariants: variants });
    assert.equal(tooMany?.kind, 'validation');
    assert.match(tooMany.message, /^1 validation error detected: Value '\[.*' at 'productionVariants' failed to satisfy constraint: Member must have length less than or equal to 10$/);
  });

  test('MaxConcurrency must be within 1..200', () => {
    const withConcurrency = (n: number): Record<string, unknown> => ({
      EndpointConfigName: 'c',
      ProductionVariants: [{ VariantName: 'v', ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: n } }],
    });
    const at = 'productionVariants.1.member.serverlessConfig.maxConcurrency';
    assertOneError('CreateEndpointConfig', withConcurrency(0), `Value '0' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    assertOneError('CreateEndpointConfig', withConcurrency(201), `Value '201' at '${at}' failed to satisfy constraint: Member must have value less than or equal to 200`);
  });

  test('MemorySizeInMB below the model minimum of 1024', () => {
    assertOneError(
      'CreateEndpointConfig',
      { EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'v', ServerlessConfig: { MemorySizeInMB: 512, MaxConcurrency: 1 } }] },
      "Value '512' at 'productionVariants.1.member.serverlessConfig.memorySizeInMB' failed to satisfy constraint: Member must have value greater than or equal to 1024",
    );
  });

  test('InitialInstanceCount of 0', () => {
    assertOneError(
      'CreateEndpointConfig',
      { EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'v', InstanceType: 'ml.m5.large', InitialInstanceCount: 0 }] },
      "Value '0' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  test('enum SortOrder on ListEndpoints', () => {
    assertOneError(
      'ListEndpoints',
      { SortOrder: 'Up' },
      "Value 'Up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]",
    );
  });

  test('MaxResults must be within 1..100', () => {
    assertOneError('ListEndpoints', { MaxResults: 0 }, "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
    assertOneError('ListEndpoints', { MaxResults: 101 }, "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  test('every violation is reported, counted and joined by "; "', () => {
    assert.deepEqual(validateInput('CreateEndpoint', { EndpointName: 'bad_name!' }), {
      kind: 'validation',
      message:
        '2 validation errors detected: ' +
        `Value 'bad_name!' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ENDPOINT_PATTERN}; ` +
        "Value null at 'endpointConfigName' failed to satisfy constraint: Member must not be null",
    });
  });

  test('a string where an integer is expected is a serialization problem', () => {
    const problem = validateInput('ListEndpoints', { MaxResults: '10' });
    assert.equal(problem?.kind, 'serialization');
    assert.match(problem.message, /STRING_VALUE can not be converted to an Integer at 'maxResults'/);
    // Type errors win over constraint errors elsewhere in the payload, as deserialization fails first.
    assert.equal(validateInput('CreateEndpoint', { EndpointName: 5 })?.kind, 'serialization');
    assert.equal(validateInput('ListEndpoints', { MaxResults: 1.5 })?.kind, 'serialization');
    assert.equal(validateInput('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: {} })?.kind, 'serialization');
  });

  test('tag key with a forbidden character', () => {
    assertOneError(
      'AddTags',
      { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/e', Tags: [{ Key: 'team#1', Value: 'ml' }] },
      "Value 'team#1' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
    );
    // \p{L} is Unicode-aware, as in Java.
    assert.equal(validateInput('AddTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/e', Tags: [{ Key: 'équipe', Value: 'données' }] }), undefined);
  });

  test('timestamps accept epoch seconds and ISO-8601 strings', () => {
    assert.equal(validateInput('ListEndpoints', { CreationTimeAfter: 1700000000.5 }), undefined);
    assert.equal(validateInput('ListEndpoints', { CreationTimeAfter: '2024-01-02T03:04:05Z' }), undefined);
    assert.equal(validateInput('ListEndpoints', { CreationTimeAfter: 'yesterday' })?.kind, 'serialization');
  });
});

describe('generated shapes', () => {
  test('the committed file matches a fresh generation (drift check)', () => {
    // The model is committed (aws-models/): without it this check would prove nothing, so it fails.
    const modelPath = defaultModelPath();
    assert.ok(existsSync(modelPath), `botocore's SageMaker model is missing at ${modelPath} (it belongs in aws-models/): cannot check for drift`);
    assert.equal(readFileSync(generatedShapesPath(), 'utf8'), generateShapesJson(modelPath),
      'src/protocol/generated/sagemaker-shapes.json is stale: run node dist/scripts/generate-shapes.js');
  });

  test('every reachable model pattern compiles', () => {
    const patterns = reachablePatterns();
    assert.ok(patterns.length > 10);
    const failed = patterns.filter((p) => compileJavaPattern(p) === undefined);
    assert.deepEqual(failed, []);
  });

  test('Java regex semantics survive translation', () => {
    const matches = (pattern: string, s: string): boolean => compileJavaPattern(pattern)!.test(s);
    assert.equal(matches('[\\S\\s]*', 'a \u00a0\n'), true); // anything at all
    assert.equal(matches('[\\S]+', 'image:\u00a0tag'), true); // Java's \S is ASCII-whitespace only
    assert.equal(matches('[\\S]+', 'a b'), false);
    assert.equal(matches('.*', 'a\nb'), false); // no DOTALL
    assert.equal(matches('(?!\\s*$).+', '   '), false);
    assert.equal(matches('\\A\\p{Print}+\\z', 'ok!'), true);
    assert.equal(matches('a+?b', 'aab'), true); // lazy quantifiers carry over
    assert.equal(compileJavaPattern('a{1,2}+'), undefined); // possessive ones cannot: the check is skipped
    assert.equal(matches('\\p{ASCII}*', 'é'), false);
    assert.equal(matches(ENDPOINT_PATTERN, 'a-b'), true); // whole-string match only
    assert.equal(matches(ENDPOINT_PATTERN, 'a-b-'), false);
  });
});
