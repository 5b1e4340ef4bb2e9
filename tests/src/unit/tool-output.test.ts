import assert from 'node:assert/strict';
import test from 'node:test';
import { median, percentile, tableLines } from '@demo/tools';

// What the measurement tools print: one median, one percentile, one table layout (stats.ts, table.ts).

test('median: the middle value, the mean of the two middle ones for an even count, in any order', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([40, 10, 30, 20]), 25);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
});

test('percentile: nearest rank, a value that was measured, whatever the order given', () => {
  const latencies = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
  assert.equal(percentile(latencies, 50), 50);
  assert.equal(percentile(latencies, 99), 99);
  assert.equal(percentile(latencies, 100), 100);
  assert.equal(percentile(latencies, 0), 1);
  assert.equal(percentile([5, 1], 50), 1);
  assert.equal(percentile([], 99), 0);
});

test('tableLines: columns as wide as their widest cell, two spaces apart, a rule under the header, no trailing spaces', () => {
  assert.deepEqual(
    tableLines(
      ['mode', 'traces'],
      [
        ['envoy', '2'],
        ['sdk', '1'],
      ],
      '  ',
    ),
    ['  mode   traces', '  -----  ------', '  envoy  2', '  sdk    1'],
  );
});
