// Load every page of a paged listing: the first page says how many there are, the rest load in parallel (the rate
// limiter paces them at the operation's QPS), a window at a time. An answer without a total is followed page by page
// instead.
import { mapPool } from '../../net/pool';
import type { Page } from '../../model';

export interface FetchedPage<T> {
  page: Page<T>;
  /** False when the answer carried no total. */
  totalKnown: boolean;
}

export interface CollectOptions {
  pageSize: number;
  /** Highest page number the service serves (e.g. CurrentPage x PageSize <= 100000). */
  maxPage?: number;
  concurrency: number;
  signal?: AbortSignal;
  /** Told when the listing holds more than `maxPage` pages allow. */
  onTruncated?: (total: number, loaded: number) => void;
}

export async function collectPages<T>(
  fetch: (page: number, signal: AbortSignal | undefined) => Promise<FetchedPage<T>>,
  options: CollectOptions,
): Promise<T[]> {
  const maxPage = options.maxPage ?? Number.MAX_SAFE_INTEGER;
  const first = await fetch(1, options.signal);
  const items = [...first.page.items];
  if (!first.totalKnown) {
    let last = first.page;
    for (let n = 2; last.items.length >= options.pageSize && n <= maxPage; n++) {
      last = (await fetch(n, options.signal)).page;
      items.push(...last.items);
    }
    return items;
  }
  // The total is the service's word; what it returns is the fact. A page shorter than the page size is the last one
  // whatever the total says, and a page identical to the one before means the service repeats itself: both end the
  // listing, so a total of 1e15 costs a few requests, not an array of 1e15 pages.
  if (first.page.items.length < options.pageSize) return items;
  const pages = Math.ceil(Math.min(first.page.total, Number.MAX_SAFE_INTEGER) / options.pageSize);
  const lastPage = Math.min(pages, maxPage);
  const window = Math.max(4, options.concurrency * 2);
  let previous = JSON.stringify(first.page.items);
  for (let next = 2; next <= lastPage; ) {
    const batch = Array.from({ length: Math.min(window, lastPage - next + 1) }, (_, i) => next + i);
    const loaded = await mapPool(batch, options.concurrency, async (n, _i, signal) => (await fetch(n, signal)).page.items, options.signal);
    for (const list of loaded) {
      const key = JSON.stringify(list);
      if (list.length === 0 || key === previous) return items;
      items.push(...list);
      if (list.length < options.pageSize) return items;
      previous = key;
    }
    next += batch.length;
  }
  if (pages > lastPage) options.onTruncated?.(first.page.total, items.length);
  return items;
}
