# Production image: compiled JavaScript, production dependencies only, non-root, data on a volume.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0 DATA_DIR=/app/data FEEDS_DIR=/app/feeds
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY feeds ./feeds
COPY docs ./docs
COPY assets ./assets
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# SIGTERM waits up to SHUTDOWN_TIMEOUT_MS (30 s) for a running ingest: run with `--stop-timeout 40`
# (docker stop's default is 10 s), or lower SHUTDOWN_TIMEOUT_MS.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/start.js"]
