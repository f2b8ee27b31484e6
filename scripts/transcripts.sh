#!/usr/bin/env bash
# Every rehearsal's transcript.jsonl and every console example's JSON transcript, into OUTDIR.
# A refactor keeps behaviour when two runs compare equal:
#   scripts/transcripts.sh /tmp/before   (on the old commit)
#   scripts/transcripts.sh /tmp/after    (on the new one)
#   diff -r -x 'r-*' /tmp/before /tmp/after && echo identical
set -u
out=$1
bot=${BOT:-.venv/bin/cutover-bot}
mkdir -p "$out"
cd "$(dirname "$0")/.."
for s in happy phase1a-fails phase1b-fails-after-failover data-corruption phase2b-amqp-fails \
  flow-validation-fails slow-step; do
  $bot rehearse --scenario "$s" --record-to none --quiet --out "$out/r-$s" >/dev/null 2>&1 || echo "failed: $s"
  cp "$out/r-$s/transcript.jsonl" "$out/$s.jsonl" 2>/dev/null
done
for seed in 1 2 3 7; do
  $bot rehearse --scenario drill --seed $seed --record-to none --quiet --out "$out/r-drill$seed" >/dev/null 2>&1 \
    || echo "failed: drill $seed"
  cp "$out/r-drill$seed/transcript.jsonl" "$out/drill-$seed.jsonl" 2>/dev/null
done
for f in examples/*.script; do
  $bot console --script "$f" --json >"$out/console-$(basename "$f").json" 2>&1 || echo "failed: console $f"
done
