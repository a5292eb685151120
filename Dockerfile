# threadstore: compiled in one stage, run from production dependencies only as the non-root `node` user.
# The Node major here is the one .ci/node-lts.sh tests (NODE_LTS_MAJOR); keep the two in step.

FROM node:22-bookworm-slim AS build
# better-sqlite3 builds from source when no prebuilt binary fits this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATABASE_URL=/data/threadstore.db
WORKDIR /app
COPY package.json ./
COPY migrations ./migrations
COPY ui ./ui
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "dist/healthcheck.js"]
# The server handles SIGTERM itself (close-with-grace); run with `docker run --init` (compose: init: true)
# so PID 1 also reaps and forwards signals the usual way.
CMD ["node", "dist/server.js"]
