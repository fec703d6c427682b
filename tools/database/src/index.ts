// The database tool: provisions an app's schema and its two roles (the migrator owns the schema, the
// app's runtime role has data rights only), and applies its Prisma migrations where
// Prisma's schema engine is not available. Used by npm run stack, npm run migrate, the outbox
// benchmark and libs/testing (each test file's own database); no app runs it.
export {
  applyMigrations,
  type AppliedMigrations,
  MigrationError,
  type MigrationFile,
  PRISMA_MIGRATE_LOCK_KEY,
  readMigrations,
} from './migrations.ts';
export {
  type Login,
  migratorDatabaseUrl,
  provisionSchemas,
  type SchemaOwner,
  schemaRoles,
  serviceDatabaseUrl,
} from './provision.ts';
