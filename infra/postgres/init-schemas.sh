#!/bin/sh
# Runs once, when the Postgres volume is new: per app a schema and two login roles, as
# tools/database's provisionSchemas makes them for npm run stack and the tests:
#   <schema>_migrator  owns the schema and everything in it; the <app>-migrate service connects as it
#   <schema>_app       the app at run time: USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on its
#                      tables, its sequences and functions (default privileges cover tables later
#                      migrations add); no CREATE, no ownership, no temporary tables, so no DDL
# Neither reaches another app's schema or `public`. `_prisma_migrations` is made here by the
# migrator, before its default privileges exist, so the app role has no rights on it.
set -eu
: "${POSTGRES_DB:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
REVOKE ALL ON DATABASE "$POSTGRES_DB" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
for entry in auth:"$AUTH_DB_PASSWORD":"$AUTH_MIGRATOR_DB_PASSWORD" \
             orders:"$ORDER_DB_PASSWORD":"$ORDER_MIGRATOR_DB_PASSWORD" \
             payments:"$PAYMENT_DB_PASSWORD":"$PAYMENT_MIGRATOR_DB_PASSWORD" \
             inventory:"$INVENTORY_DB_PASSWORD":"$INVENTORY_MIGRATOR_DB_PASSWORD" \
             notifications:"$NOTIFICATION_DB_PASSWORD":"$NOTIFICATION_MIGRATOR_DB_PASSWORD"; do
  schema=${entry%%:*}
  passwords=${entry#*:}
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v schema="$schema" -v app="${schema}_app" -v migrator="${schema}_migrator" -v db="$POSTGRES_DB" \
    -v app_password="${passwords%%:*}" -v migrator_password="${passwords#*:}" <<'SQL'
BEGIN;
CREATE ROLE :"migrator" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'migrator_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"db" TO :"migrator", :"app";
CREATE SCHEMA :"schema" AUTHORIZATION :"migrator";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"app";
SET LOCAL ROLE :"migrator";
SET LOCAL search_path = :"schema";
-- Exactly as Prisma's schema engine creates it (tools/database/src/migrations.ts).
CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);
RESET ROLE;
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema" GRANT USAGE, SELECT ON SEQUENCES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema" GRANT EXECUTE ON FUNCTIONS TO :"app";
ALTER ROLE :"app" IN DATABASE :"db" SET search_path = :"schema";
ALTER ROLE :"migrator" IN DATABASE :"db" SET search_path = :"schema";
COMMIT;
SQL
done
