#!/usr/bin/env bash
# Runs the fuzz targets (all, or those named) for SECONDS each, two at a time, and prints each
# one's executions and findings. New inputs go to a scratch corpus (the checked-in corpus/ holds
# the seeds); a crash leaves its input in artifacts/<target>/ and makes this exit non-zero —
# turn it into a regression test, fix, run again.
#   fuzz/run.sh 600                      # every target, 10 minutes each
#   fuzz/run.sh 60 photo_decoder         # one target, a minute
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame_decoder rest_bodies quick_inputs photo_decoder)

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# cargo-fuzz passes -Z flags (sanitizer, coverage); the one stable toolchain takes them so.
export RUSTC_BOOTSTRAP=1

# Photos: large inputs decode slowly; 64 KiB still holds any format's bombs.
declare -A max_len=([frame_decoder]=300000 [rest_bodies]=65536 [quick_inputs]=65536 [photo_decoder]=65536)
scratch="$(mktemp -d /tmp/gkchat-fuzz.XXXXXX)"
mkdir -p logs
for target in "${targets[@]}"; do
  cargo fuzz build --release "$target"
done

run_one() {
  local target="$1"
  mkdir -p "$scratch/$target"
  cargo fuzz run --release "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len="${max_len[$target]:-65536}" -rss_limit_mb=2048 -timeout=20 \
    -print_final_stats=1 >"logs/$target.log" 2>&1
}

failed=0
pids=()
for target in "${targets[@]}"; do
  run_one "$target" &
  pids+=("$!:$target")
  # Two at a time: one per core.
  if [ ${#pids[@]} -ge 2 ]; then
    for entry in "${pids[@]}"; do wait "${entry%%:*}" || { echo "$(basename "${entry#*:}"): FAILED"; failed=1; }; done
    pids=()
  fi
done
for entry in "${pids[@]}"; do wait "${entry%%:*}" || { echo "${entry#*:}: FAILED"; failed=1; }; done

echo "target            runs         runs/s  corpus  peak-MB  crashes"
for target in "${targets[@]}"; do
  runs=$(grep 'stat::number_of_executed_units:' "logs/$target.log" | tail -1 | awk '{print $2}')
  rate=$(grep 'stat::average_exec_per_sec:' "logs/$target.log" | tail -1 | awk '{print $2}')
  peak=$(grep 'stat::peak_rss_mb:' "logs/$target.log" | tail -1 | awk '{print $2}')
  corpus=$(find "$scratch/$target" -type f | wc -l)
  crashes=$(find "artifacts/$target" -type f 2>/dev/null | wc -l)
  printf '%-17s %-12s %-7s %-7s %-8s %s\n' "$target" "${runs:-?}" "${rate:-?}" "$corpus" "${peak:-?}" "$crashes"
done
rm -rf "$scratch"
exit "$failed"
