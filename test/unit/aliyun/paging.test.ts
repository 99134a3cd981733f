import assert from 'node:assert/strict';
import { collectPages, type FetchedPage } from '../../../src/core/cloud/aliyun/paging';

function source(total: number, opts: { totalKnown?: boolean } = {}) {
  const asked: number[] = [];
  const fetch = (page: number, pageSize: number): Promise<FetchedPage<number>> => {
    asked.push(page);
    const start = (page - 1) * pageSize;
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - start)) }, (_, i) => start + i);
    return Promise.resolve({ page: { items, total: opts.totalKnown === false ? 0 : total, page, pageSize }, totalKnown: opts.totalKnown ?? true });
  };
  return { asked, fetch };
}

describe('aliyun/paging', () => {
  it('loads every page once, in order', async () => {
    const s = source(1234);
    const all = await collectPages((n) => s.fetch(n, 100), { pageSize: 100, concurrency: 4 });
    assert.deepEqual(all, Array.from({ length: 1234 }, (_, i) => i));
    assert.deepEqual([...s.asked].sort((a, b) => a - b), Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('stops at the last page the service serves and says so', async () => {
    const s = source(100_500);
    let told: [number, number] | undefined;
    const all = await collectPages((n) => s.fetch(n, 100), {
      pageSize: 100,
      maxPage: 1000,
      concurrency: 50,
      onTruncated: (total, loaded) => (told = [total, loaded]),
    });
    assert.equal(all.length, 100_000);
    assert.equal(Math.max(...s.asked), 1000);
    assert.deepEqual(told, [100_500, 100_000]);
  });

  it('follows page by page when the answer has no total', async () => {
    const s = source(250, { totalKnown: false });
    const all = await collectPages((n) => s.fetch(n, 100), { pageSize: 100, concurrency: 4 });
    assert.equal(all.length, 250);
    assert.deepEqual(s.asked, [1, 2, 3]);
  });

  it('an empty listing asks once', async () => {
    const s = source(0);
    assert.deepEqual(await collectPages((n) => s.fetch(n, 100), { pageSize: 100, concurrency: 4 }), []);
    assert.deepEqual(s.asked, [1]);
  });
});
