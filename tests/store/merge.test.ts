// The merge every store backend applies a batch with (src/store/merge.ts): pure, so tested without I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceState } from '../../src/model.js';
import { mergeBatch, sourceStatesAfter } from '../../src/store/merge.js';
import { makeItem } from '../helpers/items.js';

const NOW = new Date('2019-08-01T00:00:00.000Z');
const batch = (items: ReturnType<typeof makeItem>[], maxItems = 100) => ({ items, sourceStates: [], maxItems, now: NOW });

describe('mergeBatch', () => {
  it('adds new items, counts unchanged ones, and leaves its input untouched', async () => {
    const stored = [makeItem(1)];
    const live = Object.freeze({ items: Object.freeze([...stored]), tombstones: Object.freeze({}) });
    const merged = await mergeBatch(live, batch([makeItem(1), makeItem(2)]));
    assert.deepEqual(merged.items.map((i) => i.id), [makeItem(1).id, makeItem(2).id]);
    assert.deepEqual(merged.bySource.get('s'), { added: 1, updated: 0, unchanged: 1 });
    assert.deepEqual([...merged.added], [makeItem(2).id]);
    assert.equal(merged.liveChanged, true);
    assert.equal(live.items.length, 1);
    assert.equal(live.items[0], stored[0]);
  });

  it('a changed item keeps ingestedAt and its updatedAt moves forward even when the upstream says it did not', async () => {
    const stored = makeItem(1, { ingestedAt: '2019-06-01T00:00:00.000Z' });
    const changed = makeItem(1, { title: '更正', contentHash: 'edited', ingestedAt: '2019-07-30T00:00:00.000Z' });
    const merged = await mergeBatch({ items: [stored], tombstones: {} }, batch([changed]));
    assert.equal(merged.items[0]!.title, '更正');
    assert.equal(merged.items[0]!.ingestedAt, '2019-06-01T00:00:00.000Z');
    assert.equal(merged.items[0]!.updatedAt, NOW.toISOString());
    assert.deepEqual(merged.bySource.get('s'), { added: 0, updated: 1, unchanged: 0 });
  });

  it('nothing new or changed: the live set did not change', async () => {
    const merged = await mergeBatch({ items: [makeItem(1), makeItem(2)], tombstones: {} }, batch([makeItem(1), makeItem(2)]));
    assert.equal(merged.liveChanged, false);
    assert.deepEqual(merged.evicted, []);
  });

  it('never brings back an item an operator deleted', async () => {
    const merged = await mergeBatch({ items: [], tombstones: { [makeItem(3).id]: '2019-07-01T00:00:00.000Z' } }, batch([makeItem(3)]));
    assert.deepEqual(merged.items, []);
    assert.deepEqual(merged.bySource.get('s'), { added: 0, updated: 0, unchanged: 0 });
    assert.equal(merged.liveChanged, false);
  });

  it('retention evicts the oldest beyond maxItems; an added item evicted at once does not count as a change', async () => {
    const stored = [makeItem(5), makeItem(6)];
    const old = makeItem(1);
    const merged = await mergeBatch({ items: stored, tombstones: {} }, batch([old], 2));
    assert.deepEqual(merged.evicted.map((i) => i.id), [old.id]);
    assert.deepEqual(merged.items.map((i) => i.id), stored.map((i) => i.id));
    assert.equal(merged.liveChanged, false);
    const newer = await mergeBatch({ items: stored, tombstones: {} }, batch([makeItem(9)], 2));
    assert.deepEqual(newer.evicted.map((i) => i.id), [makeItem(5).id]);
    assert.equal(newer.liveChanged, true);
  });
});

describe('sourceStatesAfter', () => {
  it('records each run state with its fetched count and merge counts, keeping other sources', () => {
    const state = (sourceId: string): SourceState => ({ sourceId, consecutiveFailures: 0, etag: `"${sourceId}"` });
    const before = { other: state('other') };
    const after = sourceStatesAfter(before, { items: [makeItem(1), makeItem(2)], sourceStates: [state('s')], maxItems: 10, now: NOW }, new Map([['s', { added: 2, updated: 0, unchanged: 0 }]]));
    assert.equal(after.other, before.other);
    assert.deepEqual(after.s!.lastCounts, { fetched: 2, added: 2, updated: 0, unchanged: 0 });
    assert.equal(Object.keys(before).length, 1);
  });
});
