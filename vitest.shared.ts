import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import type { TestInfra } from './libs/testing/src/infra.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real Postgres and Kafka the global setup found (libs/testing), handed to every test file. */
    infra: TestInfra;
    /** Four hex digits in every test resource name of this run; its teardown deletes them. */
    runTag: string;
  }
}

const root = import.meta.dirname;

/**
 * One Vitest configuration for every project: SWC compiles the TypeScript so Nest's decorator
 * metadata exists, tsconfig paths resolve the libs, and integration specs get real infra
 * through the global setup in libs/testing.
 */
export function projectConfig(projectRoot: string, overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  const name = projectRoot.split('/').slice(-1)[0];
  return defineConfig({
    root,
    plugins: [
      swc.vite({
        tsconfigFile: false,
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      }),
    ],
    resolve: { tsconfigPaths: true },
    oxc: false,
    test: {
      name,
      dir: resolve(root, projectRoot),
      include: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      globalSetup: [resolve(root, 'libs/testing/src/global-setup.ts')],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      maxWorkers: 2,
      // CI collects one JSON report per project to print a single closing count.
      ...(process.env.VITEST_JSON_DIR
        ? { reporters: ['default', 'json'], outputFile: { json: resolve(process.env.VITEST_JSON_DIR, `${name}.json`) } }
        : {}),
      ...overrides,
    },
  });
}
