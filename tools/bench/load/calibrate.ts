// A yardstick for the machine: pgbench's TPC-B-like transactions per second on the same
// PostgreSQL, so a figure of the load benchmark can be read against what this machine does with
// plain database transactions. Initialises scale 1 in a scratch database it creates and drops.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface Calibration {
  tps: number;
  summary: string;
  command: string;
}

function findPgbench(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const candidate = join('/usr/lib/postgresql', version, 'bin/pgbench');
      if (existsSync(candidate)) return candidate;
    }
  } catch {
    // no /usr/lib/postgresql
  }
  return undefined;
}

/** Runs `pgbench -i -s 1`, then `pgbench -c 8 -j 2 -T <seconds>`; throws with pgbench's words on failure. */
export async function pgbench(adminUrl: string, scratch: string, seconds = 10): Promise<Calibration> {
  const binary = findPgbench();
  if (!binary) throw new Error('pgbench not found on PATH nor under /usr/lib/postgresql/*/bin');
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${scratch}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${scratch}`;
    const run = (args: string[], timeoutMs: number) => {
      const result = spawnSync(binary, [...args, url.toString()], { encoding: 'utf8', timeout: timeoutMs });
      if (result.status !== 0) {
        throw new Error(`pgbench ${args.join(' ')}: ${result.error?.message ?? ''} ${result.stderr.slice(-500)}`);
      }
      return `${result.stdout}\n${result.stderr}`;
    };
    run(['-i', '-s', '1', '-q'], 120_000);
    const args = ['-c', '8', '-j', '2', '-T', String(seconds)];
    const out = run(args, (seconds + 60) * 1000);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
    if (!tps) throw new Error(`pgbench printed no tps:\n${out.slice(-500)}`);
    const latency = /latency average = ([\d.]+ ms)/.exec(out)?.[1];
    return {
      tps: Number(tps),
      summary: `${Number(tps).toFixed(0)} tps (TPC-B-like, scale 1, 8 clients, 2 threads, ${seconds} s${latency ? `, latency average ${latency}` : ''})`,
      command: `${binary} ${args.join(' ')}`,
    };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
