import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

// The browser always calls its own origin (`/trpc`), as in production where the server hosts the
// built storefront; in development Vite forwards those paths to the API.
const api: ProxyOptions = { target: process.env.API_URL ?? 'http://127.0.0.1:3000' };
const proxy = { '/trpc': api, '/healthz': api, '/readyz': api };

export default defineConfig({
  plugins: [react()],
  // 127.0.0.1 like the API: `localhost` can resolve to ::1 only. `vite --host` overrides it.
  server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy },
  build: { outDir: 'dist', emptyOutDir: true },
});
