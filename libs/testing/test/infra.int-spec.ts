import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { kafkaVersion } from '../src/infra.ts';

describe('the infrastructure handed to test files', () => {
  it('is a real PostgreSQL that answers as a superuser', async () => {
    const client = new pg.Client({ connectionString: inject('infra').postgresUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ superuser: boolean; version: string }>(
        `SELECT current_setting('is_superuser') = 'on' AS superuser, current_setting('server_version_num') AS version`,
      );
      expect(rows[0].superuser).toBe(true);
      expect(Number(rows[0].version)).toBeGreaterThanOrEqual(150000);
    } finally {
      await client.end();
    }
  });

  it('is a real Kafka broker that answers metadata requests', async () => {
    const admin = new Kafka({
      clientId: 'infra-check',
      brokers: inject('infra').kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    } finally {
      await admin.disconnect();
    }
  });

  it('names one Kafka version for the whole project', () => {
    expect(kafkaVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
