// A closed-loop load driver for the reliability tests: `concurrency` workers send `total`
// requests between them, each with a deadline, and every outcome is kept (status, body,
// duration), so a test can check each answer instead of an average.

export interface LoadResult {
  index: number;
  status: number; // 0 when no answer came (connection error or deadline)
  body: any;
  ms: number;
  error?: string;
}

export interface LoadOptions {
  url: string;
  total: number;
  concurrency: number;
  body: (index: number) => unknown;
  timeoutMs?: number;
  /** Called after each completed request, e.g. to kill a service once 100 are done. */
  onResult?: (result: LoadResult, done: number) => void | Promise<void>;
  /** Stop early (before total) once this returns true; checked before each new request. */
  stopWhen?: (started: number) => boolean;
}

export interface LoadRun {
  /** How many requests have been started so far: requests from this index on start later. */
  readonly started: number;
  readonly results: Promise<LoadResult[]>;
}

export function startLoad(options: LoadOptions): LoadRun {
  const results: LoadResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.total && !options.stopWhen?.(next)) {
      const index = next++;
      const start = performance.now();
      let result: LoadResult;
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(options.body(index)),
          signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
        });
        const text = await response.text();
        result = { index, status: response.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - start };
      } catch (error) {
        result = { index, status: 0, body: undefined, ms: performance.now() - start, error: (error as Error).message };
      }
      results.push(result);
      await options.onResult?.(result, results.length);
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, worker)).then(() => results.sort((a, b) => a.index - b.index));
  return {
    get started() {
      return next;
    },
    results: done,
  };
}

export function runLoad(options: LoadOptions): Promise<LoadResult[]> {
  return startLoad(options).results;
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
