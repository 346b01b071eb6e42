#!/usr/bin/env python3
"""Where the app binary's bytes go, per crate: reads the link map of a release build (the
linker's list of every input section it kept, with its size and the object file it came from)
and adds the sizes up by crate. Under thin LTO every object file is one codegen unit of one
crate, so this is where the code lives after optimisation: what a crate instantiated of
another's generics counts for the crate that instantiated it (cargo-bloat's `--crates`
attributes by symbol name instead). C code counts for its archive.

    cargo rustc --release -p gkchat-desktop --bin gkchat-desktop -- -C link-arg=-Wl,-Map=/tmp/gk.map
    python3 tests/tools/crate_sizes.py /tmp/gk.map [--top 40]
"""

import argparse
import collections
import re
import sys

# lld: `VMA LMA Size Align` then the input `path:(section)` (symbols below it are indented more).
INPUT = re.compile(r"^\s*[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+ {9}(\S.*):\((\S+)\)\s*$")
KINDS = {".text": "code", ".rodata": "read-only data", ".data": "data", ".gcc_except_table": "unwind tables"}


def crate_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    # thin LTO: <binary>-<hash>.<crate>-<hash>.<crate>.<hash>-cgu.N.rcgu.o.rcgu.o
    lto = re.match(r"[\w-]+?-[0-9a-f]{16}\.(\w+?)-[0-9a-f]{16}\.", name)
    if lto:
        return lto.group(1)
    own = re.match(r"([\w-]+?)-[0-9a-f]{16}\.\1\.", name)
    if own:
        return own.group(1)
    archive = re.match(r"lib([\w-]+?)(?:-[0-9a-f]{16})?\.(?:a|rlib)\((.*)\)", name)
    if archive:
        return f"{archive.group(1)} (C: {archive.group(2)})" if archive.group(1).endswith("sys") else archive.group(1)
    if name.startswith("<internal>"):
        return "(linker: merged strings and constants)"
    return f"({name})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("map")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    sizes: dict[str, int] = collections.Counter()
    kinds: dict[str, int] = collections.Counter()
    with open(args.map, errors="replace") as lines:
        for line in lines:
            found = INPUT.match(line)
            if not found:
                continue
            kind = next((k for p, k in KINDS.items() if found.group(3).startswith(p)), None)
            if kind is None:
                continue
            size = int(found.group(1), 16)
            sizes[crate_of(found.group(2))] += size
            kinds[kind] += size
    total = sum(sizes.values())
    if not total:
        sys.exit("no sections found: is this an lld link map (-Wl,-Map=...)?")
    print(f"{'crate':<44} {'kB':>8} {'share':>6}")
    for crate, size in sorted(sizes.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{crate:<44} {size / 1000:>8.0f} {100 * size / total:>5.1f}%")
    print(f"{'all code and data':<44} {total / 1000:>8.0f}")
    print("  " + ", ".join(f"{kind} {size / 1000:.0f} kB" for kind, size in kinds.most_common()))


if __name__ == "__main__":
    main()
