import nx from '@nx/eslint-plugin';

// apps → libs, never libs → apps; contracts depends on nothing of ours; testing only from tests.
// tools → libs and other tools, never the other way round, with one exception: libs/testing
// provisions and migrates each test file's database with the database tool (tools/database),
// which depends on nothing of ours, so no circle runs through it.
const boundaries = (allow) => ({
  enforceBuildableLibDependency: false,
  allow,
  depConstraints: [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
    // End-to-end tests start the apps themselves: they alone may import an app.
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:app', 'type:lib'] },
    // The scope rules below keep the database tool to libs/testing.
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'scope:database'] },
    { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:contracts'] },
    {
      sourceTag: 'scope:shared',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:contracts', 'scope:testing'],
    },
    { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:contracts', 'scope:database'] },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
    { sourceTag: 'scope:database', onlyDependOnLibsWithTags: [] },
  ],
  banTransitiveDependencies: false,
  // platform's own integration tests use libs/testing, which is built on platform: a test-only
  // circle, the one left between projects (npx nx graph shows it).
  ignoredCircularDependencies: [['platform', 'testing']],
});

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/src/generated/**', '.nx/**'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries([])],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // End-to-end tests boot the five apps in-process, so they alone import an app's spec; and the
    // OpenAPI tool, which builds each app's document from its spec without starting it.
    files: ['e2e/**/*.ts', 'e2e-abuse/**/*.ts', 'tools/openapi/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        boundaries([
          '@commerce/auth-app',
          '@commerce/order-app',
          '@commerce/payment-app',
          '@commerce/inventory-app',
          '@commerce/notification-app',
        ]),
      ],
    },
  },
  {
    // Each project's Vitest config takes the one shared config at the workspace root.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // contracts is the published surface: plain TypeScript and zod, no framework, broker or ORM.
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'kafkajs', '@prisma/*', 'pg', 'nestjs-*'],
              message: 'contracts stays free of Nest, Kafka and Prisma.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tools import the libs through their entry points (@commerce/*), as apps do: never their files.
    files: ['tools/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', '**/libs/*/test/**', '**/apps/*/src/**'],
              message: 'Import a library by its entry point (@commerce/<lib>), not by a path into it.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only tests may use the test infrastructure.
    files: ['apps/*/src/**/*.ts', 'libs/{contracts,outbox,messaging,platform}/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@commerce/testing', message: 'libs/testing is for tests only.' }] },
      ],
    },
  },
];
