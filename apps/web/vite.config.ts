import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development the API server runs separately (PORT 8095 by default, see README);
// in production the server itself serves apps/web/dist, so the app always talks to its own origin.
const apiTarget = process.env.TONGBAN_API ?? "http://127.0.0.1:8095";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/healthz": { target: apiTarget, changeOrigin: false },
      "/ledger": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
  },
});
