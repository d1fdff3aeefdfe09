# syntax=docker/dockerfile:1
# The API container: the esbuild bundle on a slim Node LTS image, as a non-root user.

FROM node:22.21.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY patches ./patches
COPY prisma ./prisma
COPY prisma.config.ts ./
# Dependencies' install scripts stay off (the image's npm 10 would run them;
# npm 11 blocks them unless package.json's allowScripts says so, and it denies
# all three): the project's own postinstall applies patches/ and generates the
# Prisma client.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm run postinstall
COPY tsconfig.json ./
COPY app ./app
COPY handlers ./handlers
RUN node scripts/build.mjs server

FROM node:22.21.1-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# The bundle is self-contained; migrations sit where it looks for them (../prisma/migrations).
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/prisma/migrations ./prisma/migrations
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/server.mjs"]
