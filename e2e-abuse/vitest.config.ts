import { projectConfig } from '../vitest.shared.ts';

// Its own target (`npm run test:abuse`), not `test`: `npm test` stays the suite of every project's
// specs, and this one runs after it in CI. One file, its checks in order, on one stack.
export default projectConfig('e2e-abuse', { include: ['**/*.abuse-spec.ts'], testTimeout: 180_000 });
