import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { imageUploadPath } from '@shop/api/protocol';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

// The browser always calls its own origin (`/trpc`), as in production where the server hosts the
// built storefront; in development Vite forwards those paths to the API (Server-Sent Events too),
// and image uploads: the admin's POST and the uploaded images (the seeded /images/products/… are
// the storefront's own files, in public/).
const api: ProxyOptions = { target: process.env.API_URL ?? 'http://127.0.0.1:3000' };
const proxy = { '/trpc': api, '/healthz': api, '/readyz': api, [imageUploadPath]: api };

const compressible = /\.(?:js|css|html|svg|json)$/;

/**
 * Writes `.gz` and `.br` copies of the text files of the build, once, at maximum compression:
 * the server sends them as they are (`preCompressed` in apps/server/src/app.ts), so a
 * single-process shop serves compressed bundles without compressing on every request.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'shop:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).filter((file) => compressible.test(file) && !file.startsWith('.vite'));
      await Promise.all(
        files.map(async (file) => {
          const path = join(outDir, file);
          const content = await readFile(path);
          if (content.length < 1024) return;
          await writeFile(`${path}.gz`, gzipSync(content, { level: 9 }));
          await writeFile(`${path}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        }),
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  // 127.0.0.1 like the API: `localhost` can resolve to ::1 only. `vite --host` overrides it.
  server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/.vite/manifest.json: which files each entry loads, for bench/web/bundle-size.mjs.
    manifest: true,
  },
});
