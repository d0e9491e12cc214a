import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assembleOutput, outputsOf } from '../../src/batch-transform/records/assemble.js';
import { batchRecords } from '../../src/batch-transform/records/batch.js';
import {
  checkDataProcessing,
  DataProcessingError,
  filterInput,
  needsPerRecordOutputs,
  processOutput,
  recordFormat,
  type DataProcessing,
} from '../../src/batch-transform/records/data-processing.js';
import { JsonPathError } from '../../src/batch-transform/records/jsonpath.js';
import { splitRecords } from '../../src/batch-transform/records/split.js';

const b = (s: string) => Buffer.from(s);
const CSV = 'text/csv';
const JSONL = 'application/jsonlines';

/** One record through the job: InputFilter, the container (a function here), JoinSource and OutputFilter. */
function run(record: string, type: string, dp: DataProcessing, container: (body: string) => string, accept = type) {
  const sent = filterInput(b(record), type, dp).toString();
  const written = processOutput(b(record), b(container(sent)), type, accept, dp).toString();
  return { sent, written };
}

describe('the guide\'s examples', () => {
  test('CSV: drop the ID column going in, join, keep ID and prediction ($[1:], Input, $[0,5:])', () => {
    const dp: DataProcessing = { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,5:]' };
    const { sent, written } = run('id-17,5.1,3.5,1.4,0.2', CSV, dp, (body) => {
      assert.equal(body, '5.1,3.5,1.4,0.2', 'the model never sees the ID');
      return '0.97\n';
    });
    assert.equal(sent, '5.1,3.5,1.4,0.2');
    assert.equal(written, 'id-17,0.97');
  });

  test('CSV: the joined row is the input followed by the output columns ([1,2,3] and [1] give [1,2,3,1])', () => {
    assert.equal(run('1,2,3', CSV, { JoinSource: 'Input' }, () => '1').written, '1,2,3,1');
    assert.equal(run('1,2,3', CSV, { JoinSource: 'Input' }, () => '0.1,0.9').written, '1,2,3,0.1,0.9');
    // the ORIGINAL row joins, not the filtered one; $[0,-1] keeps the ID and the last output column
    assert.equal(run('k,1,2', CSV, { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' }, () => '3').written, 'k,3');
  });

  test('CSV: the current guide\'s filters ($[1:], Input, $) write the whole joined row', () => {
    assert.equal(run('id,1,2,3,4', CSV, { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$' }, () => 'p').written, 'id,1,2,3,4,p');
  });

  test('JSON: features going in, ID and SageMakerOutput coming out ($.features, Input, $[\'id\',\'SageMakerOutput\'])', () => {
    const dp: DataProcessing = { InputFilter: '$.features', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" };
    const { sent, written } = run('{"id":42,"features":[0.5,1.5],"note":"x"}', JSONL, dp, (body) => {
      assert.deepEqual(JSON.parse(body), [0.5, 1.5]);
      return '{"label":1,"score":0.8}';
    });
    assert.equal(sent, '[0.5,1.5]');
    assert.deepEqual(JSON.parse(written), { id: 42, SageMakerOutput: { label: 1, score: 0.8 } });
  });

  test('JSON: an object input gets the output under SageMakerOutput ({"key":1} and {"label":1})', () => {
    assert.equal(run('{"key":1}', 'application/json', { JoinSource: 'Input' }, () => '{"label":1}').written, '{"key":1,"SageMakerOutput":{"label":1}}');
  });

  test('JSON: an input that is not an object goes under SageMakerInput', () => {
    assert.equal(run('[1,2]', JSONL, { JoinSource: 'Input' }, () => '[0.3]').written, '{"SageMakerInput":[1,2],"SageMakerOutput":[0.3]}');
    assert.equal(run('"text"', JSONL, { JoinSource: 'Input' }, () => '1').written, '{"SageMakerInput":"text","SageMakerOutput":1}');
  });

  test('JSON: an input SageMakerOutput is overwritten, as the guide warns', () => {
    assert.equal(run('{"SageMakerOutput":"mine","a":1}', JSONL, { JoinSource: 'Input' }, () => '2').written, '{"SageMakerOutput":2,"a":1}');
  });
});

describe('$ and absent filters change nothing', () => {
  const record = b('  1, "2" ,3  ');
  for (const dp of [undefined, {}, { InputFilter: '$' }, { InputFilter: '' }, { InputFilter: '$', OutputFilter: '$', JoinSource: 'None' as const }]) {
    test(`filterInput and processOutput with ${JSON.stringify(dp)} return the very bytes`, () => {
      assert.equal(filterInput(record, CSV, dp), record);
      const output = b('not even csv "');
      assert.equal(processOutput(record, output, CSV, CSV, dp), output);
      assert.equal(needsPerRecordOutputs(dp), false);
    });
  }

  test('with no content type at all, nothing is parsed when nothing is asked', () => {
    const blob = b('\x00\x01binary');
    assert.equal(filterInput(blob, undefined, { InputFilter: '$' }), blob);
    assert.equal(processOutput(blob, blob, undefined, undefined, undefined), blob);
  });
});

describe('formats', () => {
  test('recordFormat knows CSV and the JSON spellings, ignoring parameters and case', () => {
    assert.equal(recordFormat('text/csv'), 'csv');
    assert.equal(recordFormat('Text/CSV; charset=utf-8'), 'csv');
    assert.equal(recordFormat('application/json'), 'json');
    assert.equal(recordFormat('application/jsonlines'), 'json');
    assert.equal(recordFormat('application/x-jsonlines'), 'json');
    assert.equal(recordFormat('application/x-recordio-protobuf'), undefined);
    assert.equal(recordFormat(undefined), undefined);
  });

  test('CSV fields are kept as text; quoting is redone only where needed', () => {
    assert.equal(filterInput(b('"id,1",1.50,"2","say ""hi"""'), CSV, { InputFilter: '$[1:]' }).toString(), '1.50,2,"say ""hi"""');
    assert.equal(run('"a,b",2', CSV, { JoinSource: 'Input' }, () => '0.5').written, '"a,b",2,0.5');
    assert.equal(filterInput(b('a,,c,'), CSV, { InputFilter: '$[1:]' }).toString(), ',c,');
  });

  test('a single selected CSV column is a one-column row', () => {
    assert.equal(filterInput(b('x,y,z'), CSV, { InputFilter: '$[2]' }).toString(), 'z');
  });

  test('JSON output into a CSV join: an array gives columns, anything else one column', () => {
    assert.equal(run('1,2', CSV, { JoinSource: 'Input' }, () => '[0.1,0.9]', 'application/json').written, '1,2,0.1,0.9');
    assert.equal(run('1,2', CSV, { JoinSource: 'Input' }, () => '{"a":1}', 'application/json').written, '1,2,"{""a"":1}"');
  });

  test('without an Accept the output is read in the ContentType\'s format', () => {
    assert.equal(processOutput(b('1,2'), b('3\n'), CSV, undefined, { JoinSource: 'Input' }).toString(), '1,2,3');
  });

  test('OutputFilter without a join applies to the output alone, in the Accept format', () => {
    const dp: DataProcessing = { OutputFilter: '$.label' };
    assert.equal(processOutput(b('ignored'), b('{"label":3,"p":0.2}\n'), CSV, 'application/json', dp).toString(), '3');
    assert.equal(processOutput(b('ignored'), b('a,b,c'), JSONL, CSV, { OutputFilter: '$[-1]' }).toString(), 'c');
    assert.equal(needsPerRecordOutputs(dp), true);
  });
});

describe('records the filters cannot apply to', () => {
  const fails = (fn: () => unknown, why: RegExp) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof DataProcessingError, String(err));
      assert.match(err.message, why);
      return true;
    });

  test('a JSON job\'s record that is not JSON', () => {
    fails(() => filterInput(b('1,2,3'), JSONL, { InputFilter: '$.a' }), /input record is not valid JSON/);
    fails(() => processOutput(b('{}'), b('oops'), JSONL, JSONL, { JoinSource: 'Input' }), /container's output is not valid JSON/);
  });

  test('a CSV record of several lines (SplitType None)', () => {
    fails(() => filterInput(b('1,2\n3,4\n'), CSV, { InputFilter: '$[1:]' }), /more than one CSV line/);
  });

  test('broken CSV quoting', () => {
    fails(() => filterInput(b('"a,b'), CSV, { InputFilter: '$[0]' }), /unclosed quoted field/);
    fails(() => filterInput(b('"a"b,c'), CSV, { InputFilter: '$[0]' }), /after a closing quote/);
  });

  test('no CSV or JSON content type to read the records with', () => {
    fails(() => filterInput(b('1,2'), undefined, { InputFilter: '$[1:]' }), /InputFilter needs CSV or JSON records.*ContentType \(none\)/);
    fails(() => processOutput(b('1'), b('2'), 'application/x-image', undefined, { JoinSource: 'Input' }), /JoinSource Input needs CSV or JSON/);
    fails(() => processOutput(b('1'), b('2'), CSV, 'image/png', { JoinSource: 'Input' }), /Accept image\/png/);
    fails(() => processOutput(b('1'), b('2'), 'image/png', undefined, { OutputFilter: '$[0]' }), /OutputFilter needs CSV or JSON.*ContentType \(with no Accept\)/);
  });

  test('an index outside the joined row names the filter', () => {
    fails(() => run('id,1,2', CSV, { JoinSource: 'Input', OutputFilter: '$[0,9]' }, () => 'p'), /^OutputFilter \$\[0,9\]: index 9 is outside the 4 elements/);
    fails(() => filterInput(b('{"id":1}'), JSONL, { InputFilter: '$.features' }), /^InputFilter \$\.features: the record has no member 'features'/);
  });
});

describe('checkDataProcessing', () => {
  test('accepts the documented examples and nothing at all', () => {
    checkDataProcessing(undefined);
    checkDataProcessing({});
    for (const expr of ['$', '$[1:]', '$.features', '$[0,5:]', "$['id','SageMakerOutput']", '$.id.*', '$[1,3,5]', '$[:5]', '']) {
      checkDataProcessing({ InputFilter: expr, OutputFilter: expr, JoinSource: 'Input' });
    }
  });

  test('refuses unsupported paths, naming the member', () => {
    assert.throws(() => checkDataProcessing({ InputFilter: '$..a' }), (err: unknown) => err instanceof JsonPathError && /^Invalid InputFilter '\$\.\.a'/.test(err.message));
    assert.throws(() => checkDataProcessing({ OutputFilter: 'id' }), /Invalid OutputFilter 'id': a path starts with '\$'/);
  });

  test('refuses a JoinSource other than Input or None', () => {
    assert.throws(() => checkDataProcessing({ JoinSource: 'Output' as 'Input' }), /JoinSource must be Input or None, not Output/);
  });
});

describe('a MultiRecord CSV job end to end', () => {
  test('filter each record, pack, answer one line per record, split back, join, filter, assemble', () => {
    const dp: DataProcessing = { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' };
    const file = b('a,1,1\r\nb,2,2\r\nc,3,3\r\nd,4,4\r\n');
    const records = splitRecords(file, 'Line');
    const sent = records.map((r) => filterInput(r, CSV, dp));
    const batches = batchRecords(sent, 'Line', 'MultiRecord', 8);
    assert.deepEqual(batches.map((x) => x.body.toString()), ['1,1\n2,2', '3,3\n4,4']);
    // the container sums each row, one line per row
    const answer = (body: Buffer) => b(body.toString().split('\n').map((l) => l.split(',').reduce((s, v) => s + Number(v), 0)).join('\n') + '\n');
    const written = batches.flatMap((batch) =>
      outputsOf(answer(batch.body), batch.count, needsPerRecordOutputs(dp)).map((out, k) => processOutput(records[batch.first + k]!, out, CSV, CSV, dp)),
    );
    assert.equal(assembleOutput(written, 'Line').toString(), 'a,2\nb,4\nc,6\nd,8\n');
  });
});
