# One image for every PackyTrace service (docker-compose.yml picks the service with SERVICE).
# Dev image: runs TypeScript through tsx, like the local launcher does.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=development
COPY . .
RUN npm ci --no-audit --no-fund
# The web app's production build, served by apps/web/server (which tells the browser the gateway's and
# Keycloak's URLs from PT_WEB_* at start, so the image is the same everywhere).
RUN cd apps/web && npx vite build
ENV PT_HTTP_HOST=0.0.0.0
USER node
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE:?set SERVICE to the service folder name}/src/main.ts"]
