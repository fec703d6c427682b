// CPU and memory of the stack's processes, read from /proc (Linux): each group of processes is
// found by its command line, sampled every 200 ms (VmRSS of /proc/<pid>/status; utime + stime of
// /proc/<pid>/stat in clock ticks), and reported as CPU seconds and peak RSS over a window.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessGroup {
  name: string;
  /** Whether a process belongs to the group, by its command line (NUL bytes as spaces). */
  match: (cmdline: string) => boolean;
  /**
   * The memory figure of /proc/<pid>/status to sum: VmRSS (default), or RssAnon for processes that
   * share memory (PostgreSQL's backends all map shared_buffers: their VmRSS would count it again each).
   */
  memory?: 'VmRSS' | 'RssAnon';
  /** A further check of a process that matched (e.g. that it listens on the stack's port). */
  filter?: (pid: number) => boolean;
}

export interface GroupUsage {
  name: string;
  pids: number[];
  cpuSeconds: number;
  peakRssKb: number;
}

export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function ticks(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function rssKb(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Whether `pid` holds a listening TCP socket on `port` (in its own network namespace). */
export function listensOn(pid: number, port: number): boolean {
  const inodes = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    for (const line of (read(`/proc/${pid}/net/${table}`) ?? '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 10 && cols[3] === '0A' && parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return link.startsWith('socket:[') && inodes.has(link.slice(8, -1));
    } catch {
      return false;
    }
  });
}

/** The pids of each group now (those in `known` are taken as they are, without their filter). */
export function findProcesses(groups: readonly ProcessGroup[], known?: Map<number, string>): Map<string, number[]> {
  const found = new Map<string, number[]>(groups.map((g) => [g.name, []]));
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = read(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ').trim();
    if (!cmdline) continue;
    for (const group of groups) {
      if (known?.has(pid)) {
        if (known.get(pid) === group.name) found.get(group.name)!.push(pid);
      } else if (group.match(cmdline) && (!group.filter || group.filter(pid))) found.get(group.name)!.push(pid);
    }
  }
  return found;
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
export function machineTicks(): { busy: number; total: number } {
  const [, ...values] = (read('/proc/stat') ?? 'cpu 0').split('\n')[0]!.trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Samples the groups from start() on. A process there at the start counts from its ticks then; one
 * that appears later (a new database connection) counts from 0, as all its work is in the window.
 */
export class ProcSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly groupOf = new Map<number, string>();
  private readonly peak = new Map<string, number>();
  private samples = 0;

  constructor(
    private readonly groups: readonly ProcessGroup[],
    private readonly intervalMs = 200,
    private readonly rescanEvery = 5,
  ) {}

  start(): void {
    this.scan(true);
    this.sample();
    this.timer = setInterval(() => {
      if (++this.samples % this.rescanEvery === 0) this.scan(false);
      this.sample();
    }, this.intervalMs);
  }

  private scan(atStart: boolean): void {
    for (const [name, pids] of findProcesses(this.groups, this.groupOf)) {
      for (const pid of pids) {
        if (this.groupOf.has(pid)) continue;
        const now = ticks(pid);
        if (now === undefined) continue;
        this.groupOf.set(pid, name);
        this.first.set(pid, atStart ? now : 0);
        this.last.set(pid, now);
      }
    }
  }

  private sample(): void {
    const rss = new Map<string, number>();
    const field = new Map(this.groups.map((g) => [g.name, g.memory ?? 'VmRSS']));
    for (const [pid, name] of this.groupOf) {
      const now = ticks(pid);
      if (now === undefined) continue; // exited: keep its last ticks
      this.last.set(pid, now);
      rss.set(name, (rss.get(name) ?? 0) + (rssKb(pid, field.get(name)) ?? 0));
    }
    for (const [name, kb] of rss) this.peak.set(name, Math.max(this.peak.get(name) ?? 0, kb));
  }

  /** The usage from start() to now; sampling goes on. */
  usage(): GroupUsage[] {
    this.sample();
    return this.groups.map(({ name }) => {
      const pids = [...this.groupOf].filter(([, g]) => g === name).map(([pid]) => pid);
      const used = pids.reduce((sum, pid) => sum + (this.last.get(pid)! - this.first.get(pid)!), 0);
      return { name, pids, cpuSeconds: used / CLOCK_TICKS, peakRssKb: this.peak.get(name) ?? 0 };
    });
  }

  stop(): GroupUsage[] {
    const usage = this.usage();
    clearInterval(this.timer);
    return usage;
  }
}
