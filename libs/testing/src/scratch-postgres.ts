import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's own, in a temp dir on a free port, that the test may stop and
 * restart (the machine's shared server must never be). Superuser `postgres`, no password.
 */
export interface ScratchPostgres {
  /** A superuser URL: postgresql://postgres@127.0.0.1:<port>/postgres. */
  url: string;
  port: number;
  /** Stops the server; `immediate` kills every backend at once, as a crash or `restart -m immediate` does. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Whether the server runs (started and not stopped since). */
  isRunning(): boolean;
  /** stop() then start(). */
  restart(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Stops it and deletes its files. */
  close(): Promise<void>;
  /** The server's log so far, for a failure message. */
  log(): string;
}

/** Where initdb and pg_ctl are: POSTGRES_BIN_DIR, else `pg_config --bindir`, else the newest /usr/lib/postgresql/<v>/bin. */
function postgresBinDir(): string {
  const candidates: string[] = [];
  if (process.env.POSTGRES_BIN_DIR) candidates.push(process.env.POSTGRES_BIN_DIR);
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config: look in Debian's layout below
  }
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'A scratch PostgreSQL needs initdb and pg_ctl (the PostgreSQL server package); set POSTGRES_BIN_DIR to their directory',
    );
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The uid and gid of the `postgres` OS user: root may not run the server itself. */
function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, a scratch PostgreSQL needs the `postgres` OS user to run the server');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const PREFIX = 'scratch-pg-';
// No test keeps a cluster this long: an older one was left by a run that was killed.
const STALE_AFTER_MS = 3600_000;

/** Runs a PostgreSQL tool, as the postgres user when we are root (the server refuses to run as root). */
function postgresTool(bin: string, cwd: string) {
  const asRoot = process.getuid?.() === 0;
  return {
    run: (tool: string, args: string[]) =>
      asRoot
        ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd })
        : run(join(bin, tool), args, { cwd }),
    runSync: (tool: string, args: string[]) =>
      asRoot
        ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd, stdio: 'ignore' })
        : execFileSync(join(bin, tool), args, { cwd, stdio: 'ignore' }),
  };
}

/** Stops and deletes the clusters that killed runs left behind. */
function sweepStaleClusters(bin: string): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < STALE_AFTER_MS) continue;
      if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
        postgresTool(bin, dir).runSync('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      }
    } catch {
      // already stopped, or not ours to stop: removed all the same
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates and starts a scratch cluster (initdb takes a couple of seconds). */
export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = postgresBinDir();
  sweepStaleClusters(bin);
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const tool = postgresTool(bin, dir);
  const pg = tool.run;
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  let port = await freePort();
  const serverOptions = () =>
    [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      // Faster without flushing to disk, which only an operating system crash would miss; commits
      // stay synchronous, so a stop in immediate mode (the server crashing) loses none.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
  let running = false;
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-l', logFile, '-o', serverOptions(), '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async (mode: 'immediate' | 'fast' = 'fast') => {
    await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    running = false;
  };
  // A free port is only known free until it is closed: another process may take it first, and
  // then the server cannot start; a fresh port is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }
  // A worker that exits without closing it (a failed hook, a timeout) does not leave it running.
  const stopOnExit = () => {
    if (!running) return;
    try {
      tool.runSync('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // nothing more can be done while exiting
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    isRunning: () => running,
    restart: async (mode) => {
      await stop(mode);
      await start();
    },
    close: async () => {
      process.off('exit', stopOnExit);
      if (running) await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
}
