import react from '@vitejs/plugin-react';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { runtimeConfigFrom, runtimeConfigScript } from './server/runtime-config';

// The app is served on :3000 (docs/development.md); Keycloak's packytrace-web client only
// accepts redirects to http://localhost:3000/*, so the port is strict.
const port = Number(process.env.PT_WEB_PORT ?? 3000);

/** /config.js for `vite` and `vite preview`, from the same environment the production server reads. */
function runtimeConfig(): Plugin {
  const serve: Connect.NextHandleFunction = (request, response, next) => {
    if (request.url?.split('?')[0] !== '/config.js') return next();
    response.setHeader('content-type', 'text/javascript; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.end(runtimeConfigScript(runtimeConfigFrom(process.env)));
  };
  return {
    name: 'packytrace-runtime-config',
    configureServer: (server) => void server.middlewares.use(serve),
    configurePreviewServer: (server) => void server.middlewares.use(serve),
  };
}

export default defineConfig({
  plugins: [react(), runtimeConfig()],
  server: { port, strictPort: true, host: 'localhost' },
  preview: { port, strictPort: true, host: 'localhost' },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1200 },
});
