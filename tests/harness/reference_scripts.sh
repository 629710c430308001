#!/usr/bin/env bash
# The Python reference scripts under harness/bench parse, print their help, and refuse a missing
# checkout of the official code with one clear line and a non-zero exit.
# Usage: reference_scripts.sh SOURCE_DIR
set -u
bench=$1/harness/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
for script in "$bench"/*_reference.py; do
  /usr/bin/python3 "$script" --help >"$work/out" 2>&1 || { echo "FAIL: $script --help: $(cat "$work/out")"; failures=$((failures + 1)); }
done
mkdir -p "$work/root/carpet/train/good"
/usr/bin/python3 "$bench/mrkd_reference.py" --mrkd "$work/no_checkout" --root "$work/root" >"$work/out" 2>&1
code=$?
if [ "$code" -eq 0 ] || [ "$(wc -l <"$work/out")" -ne 1 ] || ! grep -q "no_checkout/main.py not found" "$work/out"; then
  echo "FAIL: mrkd_reference.py without a checkout -> exit $code: $(cat "$work/out")"
  failures=$((failures + 1))
fi
/usr/bin/python3 "$bench/rd4ad_reference.py" --rd4ad "$work/no_checkout" --train "$work" >"$work/out" 2>&1
code=$?
if [ "$code" -eq 0 ] || [ "$(wc -l <"$work/out")" -ne 1 ] || ! grep -q "no_checkout/resnet.py not found" "$work/out"; then
  echo "FAIL: rd4ad_reference.py without a checkout -> exit $code: $(cat "$work/out")"
  failures=$((failures + 1))
fi
/usr/bin/python3 "$bench/mrkd_reference.py" --mrkd "$work" --root "$work/root" --steps 2 >"$work/out" 2>&1
if [ $? -eq 0 ] || ! grep -q "steps" "$work/out"; then
  echo "FAIL: mrkd_reference.py --steps 2 accepted: $(cat "$work/out")"
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] && echo "reference scripts: help and missing-checkout errors as expected"
exit "$failures"
