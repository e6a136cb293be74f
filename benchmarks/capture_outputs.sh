#!/usr/bin/env bash
# Everything a user sees, into one folder, to compare two versions of storyline:
#   REPO=/path/to/old VENV=/path/to/old-venv benchmarks/capture_outputs.sh before/
#   REPO=. VENV=.venv benchmarks/capture_outputs.sh after/
#   diff -r before after     # timings and paths aside, a refactoring changes nothing here
# The demo; the seeds and news_dev ingested and run (--workers 2); every export kind of both;
# the stories, entities, claims, events and rejections listings; one story's views; and every
# `storyline eval` (needs DATA, default ../shared/data).
set -u
OUT=$(realpath -m "$1"); REPO=$(realpath "${REPO:-.}"); VENV=$(realpath "${VENV:-$REPO/.venv}")
DATA=$(realpath "${DATA:-$REPO/../shared/data}"); SEEDS=$(realpath "${SEEDS:-$REPO/../shared/seeds}")
mkdir -p "$OUT"; rm -f "$OUT/DONE"
export PATH="$VENV/bin:$PATH"
W=$(mktemp -d); cd "$W"
export COLUMNS=200
storyline demo --db demo.db > "$OUT/demo.txt" 2>&1
storyline ingest $SEEDS --db seeds.db > "$OUT/seeds_ingest.txt" 2>&1
storyline run --db seeds.db --workers 2 > "$OUT/seeds_run.txt" 2>&1
storyline ingest $DATA/news_dev.jsonl --db news.db > "$OUT/news_ingest.txt" 2>&1
storyline run --db news.db --workers 2 > "$OUT/news_run.txt" 2>&1
for db in seeds news; do
  for what in articles stories summaries entities events claims; do
    storyline export $what --db $db.db -o "$OUT/${db}_$what.jsonl" 2> "$OUT/${db}_$what.err"
  done
  storyline stories --db $db.db > "$OUT/${db}_stories.txt" 2>&1
  storyline entities --db $db.db > "$OUT/${db}_entities.txt" 2>&1
  storyline claims --db $db.db > "$OUT/${db}_claims.txt" 2>&1
  storyline claims --disputed --db $db.db > "$OUT/${db}_disputed.txt" 2>&1
  storyline events --db $db.db > "$OUT/${db}_events.txt" 2>&1
  storyline rejections --db $db.db > "$OUT/${db}_rejections.txt" 2>&1
done
S=$(storyline export stories --db seeds.db | python3 -c 'import sys,json; print(json.loads(sys.stdin.readline())["id"])' 2>/dev/null)
storyline story "$S" --db seeds.db > "$OUT/seeds_story.txt" 2>&1
storyline story "$S" --json --db seeds.db > "$OUT/seeds_story.json" 2>&1
storyline show "$S" --db seeds.db > "$OUT/seeds_show.txt" 2>&1
for e in clean reprints stories summaries events places; do
  ( cd "$REPO" && /usr/bin/time -v storyline eval $e --data "$DATA" ) > "$OUT/eval_$e.txt" 2>&1
done
touch "$OUT/DONE"
