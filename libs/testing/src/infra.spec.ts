import { describe, expect, it } from 'vitest';
import { chooseInfra, infraFromEnv, type InfraSources, NO_INFRA_MESSAGE, type TestInfra } from './infra.ts';

const env: TestInfra = { postgresUrl: 'postgresql://u@db/x', kafkaBrokers: ['k:9092'], source: 'env' };
const containers: TestInfra = { postgresUrl: 'postgresql://c@h/x', kafkaBrokers: ['h:1'], source: 'testcontainers' };
const local: TestInfra = { postgresUrl: 'postgresql://l@h/x', kafkaBrokers: ['127.0.0.1:9092'], source: 'local' };

// Each source records that it was asked, then answers as the test says.
function sources(
  answers: { env?: TestInfra; docker?: boolean; local?: TestInfra } = {},
): InfraSources & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fromEnv: () => {
      calls.push('env');
      return answers.env;
    },
    dockerAnswers: async () => {
      calls.push('docker?');
      return answers.docker ?? false;
    },
    startContainers: async () => {
      calls.push('containers');
      return { infra: containers, stop: async () => undefined };
    },
    localInfra: async () => {
      calls.push('local');
      return answers.local;
    },
  };
}

describe('infraFromEnv', () => {
  it('needs both DATABASE_URL and KAFKA_BROKERS', () => {
    expect(infraFromEnv({ DATABASE_URL: 'postgresql://u@db/x' })).toBeUndefined();
    expect(infraFromEnv({ DATABASE_URL: 'postgresql://u@db/x', KAFKA_BROKERS: 'k:9092, j:9093' })).toEqual({
      postgresUrl: 'postgresql://u@db/x',
      kafkaBrokers: ['k:9092', 'j:9093'],
      source: 'env',
    });
  });
});

describe('chooseInfra', () => {
  it('takes explicit env first and asks nothing else', async () => {
    const s = sources({ env, docker: true, local });
    expect((await chooseInfra(s, {})).infra).toBe(env);
    expect(s.calls).toEqual(['env']);
  });

  it('starts Testcontainers when a Docker engine answers, before trying local infra', async () => {
    const s = sources({ docker: true, local });
    const chosen = await chooseInfra(s, {});
    expect(chosen.infra).toBe(containers);
    expect(chosen.stop).toBeTypeOf('function');
    expect(s.calls).toEqual(['env', 'docker?', 'containers']);
  });

  it('falls back to the local infra without Docker, or with TESTCONTAINERS=off', async () => {
    const withoutDocker = sources({ local });
    expect((await chooseInfra(withoutDocker, {})).infra).toBe(local);
    expect(withoutDocker.calls).toEqual(['env', 'docker?', 'local']);
    const dockerOff = sources({ docker: true, local });
    expect((await chooseInfra(dockerOff, { TESTCONTAINERS: 'off' })).infra).toBe(local);
    expect(dockerOff.calls).toEqual(['env', 'local']);
  });

  it('fails with one message that says what to start when nothing can be had', async () => {
    await expect(chooseInfra(sources(), {})).rejects.toThrow(NO_INFRA_MESSAGE);
    expect(NO_INFRA_MESSAGE).toMatch(/DATABASE_URL.*KAFKA_BROKERS/s);
    expect(NO_INFRA_MESSAGE).toMatch(/npm run infra up/);
  });
});
