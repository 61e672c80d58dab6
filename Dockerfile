# Portico container image: the built server (node dist/main.js) with production dependencies
# only, run as the unprivileged `node` user. Build: docker build -t portico .
# Run with PostgreSQL: docker compose up (compose.yaml). See README "Production".
# --- build: all dependencies, compile TypeScript, then drop the dev dependencies
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits this Node.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: no compiler, no TypeScript, no dev dependencies
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
  PORTICO_DATA_DIR=/data \
  PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json LICENSE ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# HTTP (portal, admin, API), RADIUS authentication and accounting, metrics (when enabled).
EXPOSE 3000 1812/udp 1813/udp 9464
# Liveness: the process answers (four misses in a minute: unhealthy). Load balancers should use
# /readyz instead (database reachable and migrated, RADIUS bound, SMS outbox alive).
HEALTHCHECK --interval=15s --timeout=3s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
