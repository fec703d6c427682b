import { describe, expect, it } from 'vitest';
import { chooseInfra, infraFromEnv, type InfraSources, NO_INFRA_MESSAGE, type TestInfra } from './infra.ts';

const env: TestInfra = { postgresUrl: 'postgresql://u@db/x', kafkaBrokers: ['k:9092'], source: 'env' };
const containers: TestInfra = { postgresUrl: 'postgresql://c@h/x', kafkaBrokers: ['h:1'], source: 'testcontainers' };
const local: TestInfra = { postgresUrl: 'postgresql://l@h/x', kafkaBrokers: ['127.0.0.1:9092'], source: 'local' };

function sources(over: Partial<InfraSources> = {}): InfraSources & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fromEnv: () => { calls.push('env'); return undefined; },
    dockerAnswers: async () => { calls.push('docker?'); return false; },
    startContainers: async () => { calls.push('containers'); return { infra: containers, stop: async () => undefined }; },
    localInfra: async () => { calls.push('local'); return undefined; },
    ...over,
  };
}

describe('infraFromEnv', () => {
  it('needs both DATABASE_URL and KAFKA_BROKERS', () => {
    expect(infraFromEnv({ DATABASE_URL: 'postgresql://u@db/x' })).toBeUndefined();
    expect(infraFromEnv({ DATABASE_URL: 'postgresql://u@db/x', KAFKA_BROKERS: 'k:9092, j:9093' }))
      .toEqual({ postgresUrl: 'postgresql://u@db/x', kafkaBrokers: ['k:9092', 'j:9093'], source: 'env' });
  });
});

describe('chooseInfra', () => {
  it('takes explicit env first and asks nothing else', async () => {
    const s = sources({ fromEnv: () => env });
    expect((await chooseInfra(s, {})).infra).toBe(env);
    expect(s.calls).toEqual([]);
  });

  it('starts Testcontainers when a Docker engine answers, before trying local infra', async () => {
    const s = sources({ dockerAnswers: async () => true });
    const chosen = await chooseInfra(s, {});
    expect(chosen.infra).toBe(containers);
    expect(chosen.stop).toBeTypeOf('function');
    expect(s.calls).toEqual(['env', 'containers']);
  });

  it('falls back to the local infra without Docker, or with TESTCONTAINERS=off', async () => {
    const s = sources({ localInfra: async () => local, dockerAnswers: async () => true });
    expect((await chooseInfra(s, { TESTCONTAINERS: 'off' })).infra).toBe(local);
    expect(s.calls).toEqual(['env', 'local']);
  });

  it('fails with one message that says what to start when nothing can be had', async () => {
    await expect(chooseInfra(sources(), {})).rejects.toThrow(NO_INFRA_MESSAGE);
    expect(NO_INFRA_MESSAGE).toMatch(/DATABASE_URL.*KAFKA_BROKERS/s);
    expect(NO_INFRA_MESSAGE).toMatch(/npm run infra up/);
  });
});
