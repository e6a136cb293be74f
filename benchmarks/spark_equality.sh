#!/usr/bin/env bash
# Does `storyline spark run` + `storyline import` give the exports `storyline ingest` +
# `storyline run` give? Every export kind, JSONL and CSV, compared byte for byte.
#   benchmarks/spark_equality.sh WORKDIR INPUT...      (files or folders, as for ingest)
#   benchmarks/spark_equality.sh WORKDIR --synthetic N (N articles from benchmarks/corpus.py;
#                                                       needs ../shared/data or $DATA)
# Env: STORYLINE (the command, default `storyline`), MASTER (default local[2]), EMBEDDINGS
# (on|off, default off: embeddings make both sides slow, and are compared by the Spark tests).
# Prints one line per export and the two sides' wall time and peak RSS; exits 1 if any differ.
set -uo pipefail
work=$1; shift
S=${STORYLINE:-storyline}; master=${MASTER:-local[2]}; emb=${EMBEDDINGS:-off}
mkdir -p "$work" && rm -rf "$work/run" "$work"/s.* "$work"/l.* "$work"/s.db* "$work"/l.db*
if [ "${1:-}" = "--synthetic" ]; then
    python -c "from benchmarks.corpus import write_jsonl; write_jsonl('$work/corpus.jsonl', $2, data_dir='${DATA:-../shared/data}')"
    set -- "$work/corpus.jsonl"
fi
flag=--no-embeddings; [ "$emb" = on ] && flag=--embeddings
/usr/bin/time -f "spark run + import: %e s, peak RSS %M KB" \
    bash -c "$S spark run $* --out '$work/run' --master '$master' $flag -q; $S import '$work/run' --db '$work/s.db' -q"
# ingest exits 6 when an input is rejected (a README beside the seeds): the run goes on
/usr/bin/time -f "ingest + run: %e s, peak RSS %M KB" \
    bash -c "$S ingest $* --db '$work/l.db' -q; $S run --db '$work/l.db' $flag -q"
status=0
for kind in articles stories summaries events claims entities; do
    for format in jsonl csv; do
        $S export "$kind" --format "$format" --db "$work/s.db" -o "$work/s.$kind.$format" -q
        $S export "$kind" --format "$format" --db "$work/l.db" -o "$work/l.$kind.$format" -q
        if cmp -s "$work/s.$kind.$format" "$work/l.$kind.$format"; then
            echo "$kind $format: same ($(wc -c < "$work/s.$kind.$format") bytes)"
        else
            echo "$kind $format: DIFFER"; status=1
        fi
    done
done
exit $status
