import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  base: './',
  // Built into @pyblish/gui, which serves it and ships it (packages/gui/dist/web).
  build: { outDir: '../gui/dist/web', emptyOutDir: true },
});
