import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { faultLabel, faultTagProblem, faultsFromTags, parseFaultCode, tagGeneration, tagsChanged } from '../../src/shared/fault-tags.js';
import { knobTagProblem } from '../../src/shared/knob-tags.js';
import { TIMEOUT } from '../helpers/bounded.js';

const tag = (Key: string, Value: string) => ({ Key, Value });

describe('fault-injection tags (README, "Fault injection")', { timeout: TIMEOUT.test }, () => {
  test('error codes: the four kinds, ModelError with a non-2xx status', () => {
    assert.deepEqual(parseFaultCode('ThrottlingException'), { kind: 'ThrottlingException' });
    assert.deepEqual(parseFaultCode('ServiceUnavailable'), { kind: 'ServiceUnavailable' });
    assert.deepEqual(parseFaultCode('InternalFailure'), { kind: 'InternalFailure' });
    assert.deepEqual(parseFaultCode('ModelError:503'), { kind: 'ModelError', status: 503 });
    assert.deepEqual(parseFaultCode('ModelError:400'), { kind: 'ModelError', status: 400 });
    for (const bad of ['ModelError', 'ModelError:200', 'ModelError:abc', 'ModelError:1000', 'throttlingexception', '', 'ValidationError']) {
      assert.equal(parseFaultCode(bad), undefined, bad);
    }
  });

  test('bad values are problems, good ones are not, and knobTagProblem reports them', () => {
    for (const good of [
      [tag('sme:fault-error-rate', '0')],
      [tag('sme:fault-error-rate', '0.25')],
      [tag('sme:fault-error-rate', '1')],
      [tag('sme:fault-error-rate', '1.0')],
      [tag('sme:fault-error-code', 'ModelError:500')],
      [tag('sme:fault-latency-ms', '250')],
      [tag('other', 'x')],
    ]) {
      assert.equal(faultTagProblem(good), undefined, JSON.stringify(good));
      assert.equal(knobTagProblem(good), undefined);
    }
    for (const bad of [
      [tag('sme:fault-error-rate', '1.5')],
      [tag('sme:fault-error-rate', '-0.1')],
      [tag('sme:fault-error-rate', 'half')],
      [tag('sme:fault-error-rate', '')],
      [tag('sme:fault-error-code', 'Boom')],
      [tag('sme:fault-latency-ms', '-1')],
      [tag('sme:fault-latency-ms', '60001')],
      [tag('sme:fault-latency-ms', '1.5')],
    ]) {
      assert.match(faultTagProblem(bad) ?? '', /^Tag sme:fault-/, JSON.stringify(bad));
      assert.equal(knobTagProblem(bad), faultTagProblem(bad));
    }
  });

  test('endpoint tags win over config tags, key by key; nothing to do is undefined', () => {
    assert.equal(faultsFromTags([], []), undefined);
    assert.equal(faultsFromTags([tag('sme:fault-error-code', 'InternalFailure')]), undefined);
    assert.equal(faultsFromTags([tag('sme:fault-error-rate', '0')]), undefined);
    const config = [tag('sme:fault-error-rate', '0.5'), tag('sme:fault-error-code', 'ServiceUnavailable'), tag('sme:fault-latency-ms', '10')];
    assert.deepEqual(faultsFromTags(config, [tag('sme:fault-error-rate', '1')]), {
      errorRate: 1,
      errorCode: { kind: 'ServiceUnavailable' },
      latencyMs: 10,
    });
    assert.deepEqual(faultsFromTags(config, [tag('sme:fault-latency-ms', '0'), tag('sme:fault-error-rate', '0')]), undefined);
  });

  test('a rate without a code throttles', () => {
    assert.deepEqual(faultsFromTags([tag('sme:fault-error-rate', '0.1')])?.errorCode, { kind: 'ThrottlingException' });
  });

  test('labels and the change generation', () => {
    assert.equal(faultLabel({ kind: 'ModelError', status: 424 }), 'ModelError:424');
    assert.equal(faultLabel({ kind: 'ThrottlingException' }), 'ThrottlingException');
    const before = tagGeneration();
    tagsChanged();
    assert.equal(tagGeneration(), before + 1);
  });
});
