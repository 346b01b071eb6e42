// Vite writes the UI into a staging folder; this plugin then brings ui/dist to the same files,
// touching only those whose bytes changed. The desktop crate embeds ui/dist and is rebuilt when
// a file there is newer: a build of the same UI must not rebuild the app (one release build for
// `./gk run`, `./gk deb` and `./gk test`). Plain JavaScript: the UI's type check has no Node
// types (sync-dist.d.ts describes it).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** Every file below `dir`, as paths relative to it. */
function filesIn(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** The plugin: after the build, `out` gets `staging`'s files (changed ones only), `staging` goes. */
export function syncInto(staging, out) {
  return {
    name: "gkchat-sync-dist",
    apply: "build",
    closeBundle() {
      const fresh = new Set(filesIn(staging));
      for (const file of filesIn(out)) {
        if (!fresh.has(file)) rmSync(join(out, file));
      }
      for (const file of fresh) {
        const from = join(staging, file);
        const to = join(out, file);
        if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) continue;
        mkdirSync(dirname(to), { recursive: true });
        cpSync(from, to);
      }
      rmSync(staging, { recursive: true, force: true });
    },
  };
}
