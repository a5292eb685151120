FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
ENV HOST=0.0.0.0 PORT=8080 DATABASE_URL=/data/threadstore.db
EXPOSE 8080
CMD ["node", "dist/server.js"]
