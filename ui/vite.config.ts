import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";
import { syncInto } from "./sync-dist.js";

// The desktop shell loads the built files from ui/dist (brought up to date from dist-staging,
// unchanged files left as they were); `npm run dev` serves them for `tauri dev`.
export default defineConfig({
  plugins: [react(), syncInto("dist-staging", "dist")],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "safari15", outDir: "dist-staging", emptyOutDir: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
