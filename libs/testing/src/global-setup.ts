import type { TestProject } from 'vitest/node';
import { dockerAnswers, startContainers } from './containers.ts';
import { chooseInfra, infraFromEnv, localInfra } from './infra.ts';
import { randomBytes } from 'node:crypto';
import { sweepOwnTestTopics, sweepStaleTestResources } from './sweep.ts';

/**
 * Finds the real infrastructure once per test run and hands it to every test file (see chooseInfra).
 * Never skips: without infrastructure the run fails with a message saying what to start.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const { infra, stop } = await chooseInfra({
    fromEnv: () => infraFromEnv(),
    dockerAnswers,
    startContainers,
    localInfra,
  });
  project.provide('infra', infra);
  const runTag = randomBytes(2).toString('hex');
  const since = Date.now() - 1000;
  project.provide('runTag', runTag);
  await sweepStaleTestResources(infra).catch((error) =>
    console.warn(`[testing] could not sweep stale test resources: ${error}`),
  );
  return async () => {
    await sweepOwnTestTopics(infra, runTag, since).catch((error) =>
      console.warn(`[testing] could not delete this run's topics: ${error}`),
    );
    await stop?.();
  };
}
