/** What one category of hostile requests got back. */
interface Counts {
  sent: number;
  /** 2xx/3xx to a change the API accepted (a valid request among the hostile ones). */
  accepted: number;
  ok: number;
  s4xx: number;
  s5xx: number;
  stateChanges: number;
  /** Requests Node's own client refused to send (e.g. a header with a control character). */
  unsendable: number;
  /** What a category tried, beyond HTTP: NOTIFY payloads, forged frames looked for. */
  other: number;
}

/** The counts the suite prints at the end: what was tried, by category, and what came back. */
export class Tally {
  private readonly byCategory = new Map<string, Counts>();
  private readonly statuses = new Map<number, number>();

  record(category: string, status: number, changed: boolean, accepted: boolean): void {
    const counts = this.of(category);
    counts.sent++;
    if (accepted) counts.accepted++;
    // 0: the server closed the connection without an answer (a malformed request on a socket).
    else if (status === 0) counts.s4xx++;
    else if (status < 400) counts.ok++;
    else if (status < 500) counts.s4xx++;
    else counts.s5xx++;
    if (changed) counts.stateChanges++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  /** A change of state by something that was not an HTTP request (a NOTIFY). */
  stateChanged(category: string): void {
    this.of(category).stateChanges++;
  }

  unsendable(category: string): void {
    this.of(category).unsendable++;
  }

  /** Something hostile that is not an HTTP request (a NOTIFY, a forged frame looked for). */
  tried(category: string, n = 1): void {
    this.of(category).other += n;
  }

  totals(): Counts {
    const total = emptyCounts();
    for (const counts of this.byCategory.values())
      for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += counts[key];
    return total;
  }

  /** The table, one line per category, then the total and every status seen. */
  render(seed: number): string {
    const head = [
      'category',
      'requests',
      '2xx accepted',
      '2xx/3xx read',
      '4xx/closed',
      '5xx',
      'state changes',
      'other tries',
      'unsendable',
    ];
    const row = (name: string, c: Counts) => [
      name,
      c.sent,
      c.accepted,
      c.ok,
      c.s4xx,
      c.s5xx,
      c.stateChanges,
      c.other,
      c.unsendable,
    ];
    const rows = [...this.byCategory].map(([name, c]) => row(name, c));
    rows.push(row('TOTAL', this.totals()));
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const line = (cells: (string | number)[]) =>
      cells
        .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!)))
        .join('  ');
    const statuses = [...this.statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s === 0 ? 'closed' : s}: ${n}`)
      .join(', ');
    return [
      `Abuse suite (fast-check seed ${seed}; run again with ABUSE_SEED=${seed})`,
      line(head),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.slice(0, -1).map(line),
      line(widths.map((w) => '-'.repeat(w))),
      line(rows.at(-1)!),
      `statuses: ${statuses}`,
    ].join('\n');
  }

  private of(category: string): Counts {
    let counts = this.byCategory.get(category);
    if (!counts) this.byCategory.set(category, (counts = emptyCounts()));
    return counts;
  }
}

function emptyCounts(): Counts {
  return { sent: 0, accepted: 0, ok: 0, s4xx: 0, s5xx: 0, stateChanges: 0, unsendable: 0, other: 0 };
}
