# syntax=docker/dockerfile:1
# Production image: compiled JavaScript, production dependencies only, non-root, data on a volume.
#
# Behind a company proxy that inspects TLS, npm needs the company registry and/or its CA certificate:
#   docker build --build-arg NPM_CONFIG_REGISTRY=https://npm.example.corp/ \
#     --secret id=npm_ca,src=/etc/ssl/corp-ca.pem -t syndicator .
# The registry is a build argument (not secret); the CA certificate is a BuildKit secret, mounted only
# while npm ci runs and never stored in a layer. npm reads it through NODE_EXTRA_CA_CERTS when present.
FROM node:20-slim AS build
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
ENV NPM_CONFIG_REGISTRY=$NPM_CONFIG_REGISTRY
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi; \
    npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0 DATA_DIR=/app/data FEEDS_DIR=/app/feeds
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# The registry is passed to this npm ci only; the image itself does not keep it in its environment.
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi; \
    NPM_CONFIG_REGISTRY=$NPM_CONFIG_REGISTRY npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
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
# node is PID 1 and receives SIGTERM itself (no npm or shell in between).
CMD ["node", "bin/syndicator.js", "serve"]
