// Starts `npm run stack`'s runner (payment behind the chaos proxies), waits until it reports all
// five apps ready, checks each app's /health/ready and /health through its port, drives one order
// through it (npm run smoke), runs the Kafka outage drill and the short chaos drill, then sends
// SIGTERM and expects everything it started to stop. CI runs alone on its machine: the drills
// kill and restart the broker and the machine's PostgreSQL.
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';

const root = join(import.meta.dirname, '../..');
// Each tool as its npm script runs it: bundled with the libs it imports (tools/build/run-tool.ts).
const tool = (entry: string) => [join(root, 'tools/build/run-tool.ts'), join(root, entry)];
// The cut needs the broker's chaos listener (tools/infra gives a broker it starts one); a broker
// that was already running without it leaves the cut out.
const chaosListener = await new Promise<boolean>((resolve) => {
  const socket = connect(Number(process.env.KAFKA_CHAOS_PORT ?? '9193'), '127.0.0.1');
  socket.once('connect', () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});
const stack = spawn(process.execPath, tool('tools/stack/stack.ts'), {
  cwd: root,
  env: { ...process.env, LOG_LEVEL: 'warn', ...(chaosListener ? { STACK_PROXY_APP: 'payment' } : {}) },
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
  // The short chaos drill: every fault once while orders flow, then every invariant.
  if (!chaosListener) console.log('[stack-check] the broker has no chaos listener (started before it had one): no cut');
  const faults = chaosListener ? [] : ['--faults', 'app-kill,broker-kill,pg-restart,pg-terminate'];
  execFileSync(process.execPath, [...tool('tools/drills/chaos.ts'), '--short', ...faults], { stdio: 'inherit' });
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
