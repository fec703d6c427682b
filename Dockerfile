# syntax=docker/dockerfile:1.7
# One image recipe for the five apps:  docker build --build-arg APP=order --build-arg PREFIX=api/orders .
# Stages: deps (all packages) → build (nx build: prisma generate + bundle) → runtime (production
# packages only, non-root). The `migrate` target runs the app's `prisma migrate deploy`.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /workspace
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund

FROM deps AS build
ARG APP
COPY . .
RUN test -n "${APP}" && NX_DAEMON=false npx nx run ${APP}:build --skip-nx-cache

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The patched kafkajs (patches/, applied by patch-package in deps; patch-package is a dev tool).
COPY --from=deps /workspace/node_modules/kafkajs ./node_modules/kafkajs

FROM deps AS migrate
ARG APP
ENV APP=${APP}
COPY prisma/${APP} ./prisma/${APP}
# Fetch Prisma's schema engine at build time, so a migration run needs no download.
RUN npx prisma --version >/dev/null
USER node
CMD ["sh", "-c", "npx prisma migrate deploy --config prisma/${APP}/prisma.config.ts"]

FROM ${NODE_IMAGE} AS runtime
ARG APP
ARG PREFIX
ENV NODE_ENV=production APP=${APP} HEALTH_PATH=${PREFIX}/health/ready
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /workspace/dist/apps/${APP} ./dist
COPY package.json ./
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --start-interval=1s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/'+process.env.HEALTH_PATH).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "dist/main.js"]
