import type { Plugin } from "vite";

/** After a build, brings `out` to `staging`'s files, touching only those that changed. */
export function syncInto(staging: string, out: string): Plugin;
