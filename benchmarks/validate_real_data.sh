#!/usr/bin/env bash
# Validation of fit + calibrate against the shared public data (docs/real-data.md, "Validation").
# Usage: benchmarks/validate_real_data.sh [DATA_DIR] [OUT_DIR]   (default: ../shared/data, ./validation)
# Needs carebench on PATH. Takes about 5-10 minutes on 2 cores.
set -euo pipefail
DATA=$(cd "${1:-$(dirname "$0")/../../shared/data}" && pwd)
OUT=${2:-validation}
mkdir -p "$OUT" && cd "$OUT"
K="$DATA/kenya_banks_2020_replies_timing.csv"
T=(--column arrival=in_reply_to_created_at_utc_snowflake --column first_reply=reply_created_at_utc --column brand=bank
   --column id=in_reply_to_status_id --where reply_to_own_handle=0 --skip-bad --reply-sampled
   --tz Africa/Nairobi --naive-tz UTC)
FREE=(--free pools.team.agents=1..8 --free channels.twitter.handle_time.mean=1m..2d
      --free channels.twitter.handle_time.cv=0.2..20 --free channels.twitter.concurrency=1..20)

# Call centre: fit Jan-Oct 1999, check arrivals per hour in Nov-Dec.
carebench fit "$DATA/anonbank_1999_calls_6min.csv" --format counts --channel phone --check-from 1999-11-01 \
  --no-plots -o anonbank.yaml > anonbank-fit.txt

# Kenyan banks: fit and calibrate before the cut, report on the held-out weeks up to June.
run_bank() {  # bank, cut
  local s
  s=$(echo "$1" | tr 'A-Z ' 'a-z_' | tr -cd 'a-z_')
  echo "=== $1 (held out from $2)"
  if ! carebench fit "$K" "${T[@]}" --brand "$1" --channel twitter --until "$2" --horizon-days 28 --no-plots \
       -o "$s.yaml" > "$s-fit.txt" 2>&1; then
    tail -1 "$s-fit.txt"; return 0
  fi
  carebench calibrate "$s.yaml" --to "$K" "${T[@]}" --brand "$1" --holdout-from "$2" --until 2020-06-01 \
    "${FREE[@]}" --budget 60 --workers 2 -q -o "$s-cal.yaml"
}
for bank in "Absa Bank Kenya" "NCBA Bank" "Standard Chartered" "Co-op Bank Kenya" "KCB Group" "Equity Bank Kenya"; do
  run_bank "$bank" 2020-05-01
done
# The three banks whose sampled timeline starts in May: hold out their last ten days instead.
for bank in "Co-op Bank Kenya" "KCB Group" "Equity Bank Kenya"; do
  run_bank "$bank" 2020-05-22
done
