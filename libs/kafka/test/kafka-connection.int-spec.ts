import { ReadinessRegistry } from '@commerce/platform';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { KafkaConnection } from '../src/kafka.module.ts';

describe('KafkaConnection', () => {
  const opened: KafkaConnection[] = [];
  function connect(brokers: string[]) {
    const registry = new ReadinessRegistry();
    const connection = new KafkaConnection(
      { KAFKA_BROKERS: brokers, KAFKA_CLIENT_ID: 'kafka-connection-test' },
      registry,
    );
    connection.onModuleInit();
    opened.push(connection);
    return { connection, registry };
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.onApplicationShutdown()));
  });

  it('registers a kafka component check (not readiness) that describes the real cluster', async () => {
    const { registry } = connect(inject('infra').kafkaBrokers);
    expect(registry.all('readiness')).toEqual([]);
    const [check] = registry.all('component');
    expect(check.name).toBe('kafka');
    const details = await check.probe();
    expect(details).toMatchObject({ brokers: expect.any(Number), clusterId: expect.any(String) });
  });

  it('rejects when no broker answers, and keeps trying on the next probe', async () => {
    const { connection } = connect(['127.0.0.1:1']);
    await expect(connection.probe()).rejects.toThrow();
    await expect(connection.probe()).rejects.toThrow();
  });
});
