// Command-line arguments of the simulator processes: `--key value` pairs and bare `--flag`s.

export interface ProcessArgs {
  /** The value of `--key value`; undefined when absent or given as a bare flag. */
  str: (key: string) => string | undefined;
  /** The value of `--key N` as a number; undefined when absent. */
  num: (key: string) => number | undefined;
  /** True when `--key` was given (with or without a value). */
  has: (key: string) => boolean;
  /** Every argument, as parsed. */
  all: Map<string, string | true>;
}

export function parseProcessArgs(argv: string[]): ProcessArgs {
  const all = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--')) throw new Error(`unexpected argument ${key}`);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      all.set(key.slice(2), next);
      i++;
    } else {
      all.set(key.slice(2), true);
    }
  }
  const str = (key: string): string | undefined => {
    const v = all.get(key);
    return typeof v === 'string' ? v : undefined;
  };
  return {
    all,
    str,
    num: (key) => (str(key) === undefined ? undefined : Number(str(key))),
    has: (key) => all.has(key),
  };
}
