#!/bin/sh
# Runs when the Postgres volume is new, and again by hand on an older volume (it is idempotent,
# sets the passwords from the environment and moves a one-role volume over: docs/operations.md):
# per app a schema and two login roles, as
# tools/database's provisionSchemas makes them for npm run stack and the tests:
#   <schema>_migrator  owns the schema and everything in it; the <app>-migrate service connects as it
#   <schema>_app       the app at run time: USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on its
#                      tables, its sequences and functions (default privileges cover tables later
#                      migrations add); no CREATE, no ownership, no temporary tables, so no DDL
# Neither reaches another app's schema or `public`. `_prisma_migrations` is made here by the
# migrator and closed to the app role.
set -eu
: "${POSTGRES_DB:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
REVOKE ALL ON DATABASE "$POSTGRES_DB" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
# provision <schema> <app password> <migrator password>
provision() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v schema="$1" -v app="$1_app" -v migrator="$1_migrator" -v db="$POSTGRES_DB" \
    -v app_password="$2" -v migrator_password="$3" <<'SQL'
BEGIN;
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'migrator') AS new_migrator,
       NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') AS new_app \gset
\if :new_migrator
CREATE ROLE :"migrator" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'migrator_password';
\else
ALTER ROLE :"migrator" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'migrator_password';
\endif
\if :new_app
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
\else
ALTER ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
\endif
REVOKE ALL ON DATABASE :"db" FROM :"migrator", :"app";
GRANT CONNECT ON DATABASE :"db" TO :"migrator", :"app";
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"migrator";
-- A volume of the one-role layout: what the app role owned passes to the migrator.
REASSIGN OWNED BY :"app" TO :"migrator";
ALTER SCHEMA :"schema" OWNER TO :"migrator";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC, :"app";
GRANT USAGE ON SCHEMA :"schema" TO :"app";
SET LOCAL ROLE :"migrator";
SET LOCAL search_path = :"schema";
-- Exactly as Prisma's schema engine creates it (tools/database/src/migrations.ts).
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
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
RESET search_path;
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema" GRANT USAGE, SELECT ON SEQUENCES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema" GRANT EXECUTE ON FUNCTIONS TO :"app";
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"app";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"app";
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA :"schema" FROM :"app";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA :"schema" TO :"app";
REVOKE ALL ON TABLE :"schema"."_prisma_migrations" FROM :"app";
ALTER ROLE :"app" IN DATABASE :"db" SET search_path = :"schema";
ALTER ROLE :"migrator" IN DATABASE :"db" SET search_path = :"schema";
COMMIT;
SQL
}
provision auth "$AUTH_DB_PASSWORD" "$AUTH_MIGRATOR_DB_PASSWORD"
provision orders "$ORDER_DB_PASSWORD" "$ORDER_MIGRATOR_DB_PASSWORD"
provision payments "$PAYMENT_DB_PASSWORD" "$PAYMENT_MIGRATOR_DB_PASSWORD"
provision inventory "$INVENTORY_DB_PASSWORD" "$INVENTORY_MIGRATOR_DB_PASSWORD"
provision notifications "$NOTIFICATION_DB_PASSWORD" "$NOTIFICATION_MIGRATOR_DB_PASSWORD"
