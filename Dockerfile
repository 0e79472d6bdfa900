# syntax=docker/dockerfile:1

# --- build: compile the Telegram emulator package, the service and the console (web/, Vite) with dev dependencies ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The emulator package (a devDependency, file:packages/telegram-emulator): npm ci links it.
COPY packages/telegram-emulator/package.json ./packages/telegram-emulator/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY packages/telegram-emulator ./packages/telegram-emulator
COPY src ./src
COPY migrations ./migrations
COPY web ./web
RUN npm run build

# --- development: the service with its dev dependencies, the Telegram emulator among them (docker compose
# --profile emulator runs both the emulator server and a service using it from this image) ---
FROM build AS development
ENV HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/app/data
EXPOSE 8000
CMD ["node", "dist/src/main.js"]

# --- production dependencies only: no emulator package, no dev tools ---
FROM build AS prune
RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime (the default target): production dependencies and compiled code only, as a non-root user ---
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/app/data
WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home /app app \
    && mkdir -p /app/data && chown app:app /app/data
COPY --from=prune --chown=app:app /app/node_modules ./node_modules
COPY --from=prune --chown=app:app /app/dist ./dist
COPY --chown=app:app package.json ./
USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
