// The web console's build: static files under apps/console/dist, which the control plane serves
// at /console/ (its index also at /). Charts and the graph layout are imported lazily by their
// screens, so the first load carries neither. The manifest tells what the first load is: the
// budget spec (apps/control-plane/src/console/console-bundle.integration-spec.ts) reads it.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', manifest: true, chunkSizeWarningLimit: 1200 },
});
