# Junction: gateway + orchestrator in one image (JUNCTION_ROLES picks the side at run time).
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Scripts run after the sources are in: `prepare` builds from files the next COPY brings.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY . .
RUN npm run prepare --if-present
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 8080
# node directly (not npm) so SIGTERM reaches Junction and it shuts down gracefully.
CMD ["node", "--import", "tsx", "platform/main.ts"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
