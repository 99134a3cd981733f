// Load every page of a paged listing: the first page says how many there are, the rest load in parallel (the rate
// limiter paces them at the operation's QPS). An answer without a total is followed page by page instead.
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
  const pages = Math.ceil(first.page.total / options.pageSize);
  const lastPage = Math.min(pages, maxPage);
  const rest = Array.from({ length: Math.max(0, lastPage - 1) }, (_, i) => i + 2);
  const loaded = await mapPool(rest, options.concurrency, async (n, _i, signal) => (await fetch(n, signal)).page.items, options.signal);
  for (const list of loaded) items.push(...list);
  if (pages > lastPage) options.onTruncated?.(first.page.total, items.length);
  return items;
}
