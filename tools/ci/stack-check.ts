// Starts `npm run stack`'s runner, waits until it reports all five apps ready, checks each app's
// /health/ready and /health through its port, drives one order through it (npm run smoke), runs the
// Kafka outage drill, then sends SIGTERM and expects everything it started to stop.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';

const root = join(import.meta.dirname, '../..');
// Each tool as its npm script runs it: bundled with the libs it imports (tools/build/run-tool.ts).
const tool = (entry: string) => [join(root, 'tools/build/run-tool.ts'), join(root, entry)];
const stack = spawn(process.execPath, tool('tools/stack/stack.ts'), {
  cwd: root,
  env: { ...process.env, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
const ready = new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the stack did not report ready within 120 s')), 120_000);
  stack.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
    if (output.includes('all five apps are ready')) {
      clearTimeout(timer);
      resolve();
    }
  });
  stack.once('exit', (code) => {
    clearTimeout(timer);
    reject(new Error(`the stack exited early (${code})`));
  });
});

try {
  await ready;
  for (const service of SERVICE_NAMES) {
    for (const path of ['/health/ready', '/health']) {
      const response = await fetch(`http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}${path}`);
      if (response.status !== 200) throw new Error(`${service} ${path} answered ${response.status}`);
    }
  }
  console.log('[stack-check] all five apps answered /health/ready and /health with 200');
  // One full order as a new user would place it (npm run smoke, against the apps' own ports).
  execFileSync(process.execPath, tool('tools/smoke/smoke.ts'), { stdio: 'inherit' });
  // Kafka stops: every app stays ready while /health turns 503 within seconds, and 200 once the broker is back.
  execFileSync(process.execPath, tool('tools/drills/kafka-outage.ts'), { stdio: 'inherit' });
} finally {
  stack.kill('SIGTERM');
}
const code = await new Promise<number | null>((resolve) => stack.once('exit', resolve));
for (const service of SERVICE_NAMES) {
  const stillUp = await fetch(
    `http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}/health/live`,
  ).then(
    () => true,
    () => false,
  );
  if (stillUp) throw new Error(`${service} still answers after the stack stopped`);
}
console.log(`[stack-check] the stack stopped (exit ${code}) and nothing it started still answers`);
