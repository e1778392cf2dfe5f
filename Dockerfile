# syntax=docker/dockerfile:1
# Build on Node 24, run on distroless Node 24 with production dependencies only.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; none of them needs an install script.
RUN npm ci --omit=dev --ignore-scripts

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY package.json ./
# Numeric, so runAsNonRoot can verify it; nothing in the image needs to be writable.
USER 65532:65532
EXPOSE 9443 8080
# A young generation of 2 x 8 MiB instead of V8's default of up to 2 x 32 MiB on large nodes: RSS under
# sustained load stays ~50 MiB lower, throughput is the same within noise (docs/adr/0003).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=8", "/app/dist/src/main.js"]
CMD ["serve", "--cert-dir=/etc/netguard/tls", "--port=9443", "--health-port=8080"]
