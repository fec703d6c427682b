// Sums the Vitest JSON reports of every project into one closing line: "N passed, N failed", and
// names each failed test (or test file, when a hook failed) with the first lines of its error.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
  numPendingTests: number;
  numTodoTests?: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

const firstLines = (text: string | undefined, n = 6) =>
  (text ?? '')
    .split('\n')
    .slice(0, n)
    .map((line) => `      ${line}`)
    .join('\n');

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
const perProject: string[] = [];
const failures: string[] = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Report;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  perProject.push(`${file.replace(/\.json$/, '')} ${report.numPassedTests}/${report.numTotalTests}`);
  for (const testFile of report.testResults) {
    const failedTests = testFile.assertionResults.filter((t) => t.status === 'failed');
    for (const t of failedTests)
      failures.push(`  ✗ ${testFile.name} > ${t.fullName}\n${firstLines(t.failureMessages?.[0])}`);
    // A failed hook fails the file with no failed test of its own.
    if (testFile.status === 'failed' && failedTests.length === 0) {
      failed += 1;
      failures.push(
        `  ✗ ${testFile.name}: the file failed (a hook, most often; its error is in the log above)${testFile.message ? `\n${firstLines(testFile.message)}` : ''}`,
      );
    }
  }
}
console.log(`per project: ${perProject.join(', ')}`);
if (failures.length) console.log(`failed:\n${failures.join('\n')}`);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (failed > 0 || skipped > 0 || passed === 0) process.exit(1);
