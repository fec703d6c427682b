export { startTestApp, type TestApp } from './app.ts';
export { describeAppBasics } from './app-basics.ts';
export { adminQuery, createTestDatabase, migrationsDir, type TestDatabase, uniqueId } from './database.ts';
export {
  chooseInfra,
  infraFromEnv,
  type InfraSources,
  kafkaVersion,
  NO_INFRA_MESSAGE,
  type TestInfra,
  WORKSPACE_ROOT,
} from './infra.ts';
export { waitFor } from './wait.ts';
export { actualShape, compareShapes, declaredShape, type SchemaShape, type TableShape } from './drift.ts';
