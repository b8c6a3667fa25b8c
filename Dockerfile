# The CYNOD API as a container image: the production bundle (`npm run build`: dist/), the
# published contract (generated/) and the production dependencies only, on Node.js 24, run as
# the unprivileged user `node`. Nothing secret is built in: the card-number keys, the database
# address and its password come from the environment at run time (see compose.yaml and the
# Containers section of docs/operating.md). Checked by contract-tests/container.test.ts.
#
#   docker build -t cynod-api .
#   docker compose up            # with PostgreSQL and demo data (compose.yaml)

# 1. Build: every dependency (esbuild, tsx), then the bundle. Install scripts are not run
#    (npm blocks them too, package.json's allowScripts records the decisions): none is needed.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
COPY generated ./generated
RUN npm run build

# 2. Production dependencies only: no dev tools, and no optional packages (those are the
#    Node binaries node-<os>-<arch>, since the image has its own Node 24; esbuild's platform
#    binaries, used only by tsx, which the bundle does not need; pg-cloudflare, for Cloudflare
#    Workers). The test checks the lockfile's optional production packages are only these.
FROM node:24-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

# 3. The image: Node 24, the bundle, the contract, production node_modules; files owned by
#    root and read-only to the server; the embedded database (no DATABASE_URL) writes in /data.
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/generated ./generated
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
EXPOSE 8080
# /ready: 200 once the database answers, 503 while it does not or while shutting down.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains in-flight requests for up to SHUTDOWN_GRACE_SECONDS (25): stop with a longer
# timeout than Docker's default 10 s (docker stop -t 30; compose.yaml sets stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "--enable-source-maps", "dist/main.js"]
