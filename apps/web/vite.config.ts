import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app is served on :3000 (docs/development.md); Keycloak's packytrace-web client only
// accepts redirects to http://localhost:3000/*, so the port is strict.
const port = Number(process.env.PT_WEB_PORT ?? 3000);

export default defineConfig({
  plugins: [react()],
  server: { port, strictPort: true, host: 'localhost' },
  preview: { port, strictPort: true, host: 'localhost' },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1200 },
});
