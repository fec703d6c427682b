#!/bin/sh
# Runs once, when the Postgres volume is new: one login role and one schema per app, each role
# owning only its own schema and closed out of the others and of `public`.
set -eu
: "${POSTGRES_DB:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
REVOKE ALL ON DATABASE "$POSTGRES_DB" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
for pair in auth:"$AUTH_DB_PASSWORD" orders:"$ORDER_DB_PASSWORD" payments:"$PAYMENT_DB_PASSWORD" \
            inventory:"$INVENTORY_DB_PASSWORD" notifications:"$NOTIFICATION_DB_PASSWORD"; do
  schema=${pair%%:*}
  password=${pair#*:}
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="${schema}_app" -v schema="$schema" -v password="$password" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";
CREATE SCHEMA :"schema" AUTHORIZATION :"role";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
ALTER ROLE :"role" IN DATABASE :"db" SET search_path = :"schema";
SQL
done
