// Small numeric helpers of the load benchmark and the chaos drill: nearest-rank percentiles,
// counts, formatting.

/** The nearest-rank percentile of `values` (unsorted), or NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => Math.max(a, b), -Infinity);
}

export class Counter extends Map<string, number> {
  add(key: string, by = 1): void {
    this.set(key, (this.get(key) ?? 0) + by);
  }

  /** `202×300 503×2`, most frequent first. */
  format(): string {
    return (
      [...this]
        .sort((a, b) => b[1] - a[1])
        .map(([key, n]) => `${key}×${n}`)
        .join(' ') || '–'
    );
  }
}

/** Milliseconds as a whole number, or `–` for NaN. */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '–';
}

export function mb(kb: number): string {
  return kb > 0 ? (kb / 1024).toFixed(0) : '–';
}

/** A deterministic PRNG (mulberry32), so a seed replays the same order mix. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
