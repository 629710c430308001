#!/usr/bin/env bash
# A real single-node Slurm (Debian's slurm-wlm and munge, started here for this machine's cores):
# `kdad plan --slurm --submit` runs a small grid as a job array, `kdad merge` combines the task
# shards; then a task is cancelled mid-run, `kdad plan --missing` re-submits only its cells and the
# merged database ends complete. Skipped (77) only where Slurm is not installed or cannot start.
# Usage: slurm_single_node.sh KDAD_WITH_TEST_METHODS_BINARY
set -u
source "$(dirname "$0")/pixel_stats_study.sh"
kdad=$(readlink -f "$1")
work=$(mktemp -d /tmp/kdad-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  sleep 0.5
  [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for log in "$work"/slurm*.log $(ls "$work"/plan*/logs/*.out 2>/dev/null | head -2); do
    [ -f "$log" ] && { echo "--- $log"; tail -5 "$log"; }
  done
  exit 1
}
skip() { echo "skipped: $*"; exit 77; }
for tool in slurmctld slurmd munged mungekey sbatch squeue scancel sinfo sqlite3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (ci/setup.sh installs slurm-wlm and munge)"
done
cd "$work" || exit 1

# munge: its own key, socket and files, so nothing of the machine's configuration is touched.
mkdir -p munge state spool
chmod 700 munge
mungekey -c -k munge/munge.key 2>/dev/null || dd if=/dev/urandom of=munge/munge.key bs=1024 count=1 2>/dev/null
chmod 400 munge/munge.key
munged --force --key-file=munge/munge.key --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" 2>munge/start.err \
  || skip "munged cannot start: $(cat munge/start.err)"
pids+=("$(cat munge/munged.pid 2>/dev/null)")

node=$(hostname -s)
port=$((20000 + RANDOM % 20000))
cat >slurm.conf <<CONF
ClusterName=kdadtest
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -D -i >slurmctld.out 2>&1 &
pids+=($!)
slurmd -D >slurmd.out 2>&1 &
pids+=($!)
for _ in $(seq 60); do
  [ "$(sinfo -h -o %T 2>/dev/null | head -1)" = "idle" ] && break
  sleep 0.5
done
[ "$(sinfo -h -o %T 2>/dev/null | head -1)" = "idle" ] || skip "slurmctld/slurmd did not come up: $(tail -2 slurmctld.log slurmd.log 2>/dev/null | tr '\n' ' ')"
echo "single-node Slurm up on $node ($(nproc) CPUs)"

wait_for_jobs() {  # until the queue is empty (at most 3 minutes)
  for _ in $(seq 360); do
    [ -z "$(squeue -h 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  fail "jobs still queued after 3 minutes: $(squeue)"
}

"$kdad" datasets make-synthetic data --size 48 --train 4 --test-good 2 --test-per-defect 1 \
  --categories weave,disc,speckle >/dev/null || fail "make-synthetic"
write_manifest() {  # write_manifest SLEEP_MS
  pixel_stats_study study.toml "slurm study" unused.sqlite "[0, 1]" "$1"
}
cells_ok() { sqlite3 "$1" "SELECT count(*) FROM cells WHERE status = 'ok'" 2>/dev/null || echo 0; }

# 1. The whole grid as an array of 6 tasks (at most 2 at once), merged.
write_manifest 0
"$kdad" plan study.toml --slurm plan1 --throttle 2 --submit >plan1.log 2>&1 || fail "plan --submit: $(cat plan1.log)"
grep -q "Submitted batch job" plan1.log || fail "sbatch did not accept the script: $(cat plan1.log)"
grep -q "^#SBATCH --array=0-5%2$" plan1/submit.sh || fail "array line: $(grep array plan1/submit.sh)"
wait_for_jobs
[ "$(ls plan1/shards/*.sqlite | wc -l)" -eq 6 ] || fail "expected 6 shards, found: $(ls plan1/shards)"
grep -q "into the shard .*plan1/shards/" plan1/logs/*.out || fail "a task's log does not say where its shard is"
"$kdad" merge plan1/shards/*.sqlite --into merged1.sqlite >merge1.log 2>&1 || fail "merge: $(cat merge1.log)"
[ "$(cells_ok merged1.sqlite)" -eq 6 ] || fail "merged database holds $(cells_ok merged1.sqlite) of 6 cells"
[ ! -e unused.sqlite ] || fail "a task wrote to the manifest's database instead of its shard"
echo "array of 6 tasks: 6 shards merged into 6 cells"

# 2. A task cancelled mid-run; --missing re-submits only its cell; the merge completes the grid.
write_manifest 700
"$kdad" plan study.toml --slurm plan2 --throttle 2 --submit >plan2.log 2>&1 || fail "plan 2: $(cat plan2.log)"
job=$(sed -n 's/.*Submitted batch job \([0-9]*\).*/\1/p' plan2.log)
for _ in $(seq 120); do
  running=$(squeue -h -j "$job" -t R -o %i 2>/dev/null | head -1)
  [ -n "$running" ] && break
  sleep 0.25
done
[ -n "$running" ] || fail "no task of job $job started"
sleep 1.5  # inside its cell (4 training images of 0.7 s)
scancel "$running"
wait_for_jobs
"$kdad" merge plan2/shards/*.sqlite --into merged2.sqlite >merge2.log 2>&1 || fail "merge 2: $(cat merge2.log)"
done_before=$(cells_ok merged2.sqlite)
[ "$done_before" -lt 6 ] || fail "the cancelled task's cell is stored anyway"
"$kdad" plan study.toml --missing merged2.sqlite --slurm plan3 --submit >plan3.log 2>&1 || fail "plan --missing: $(cat plan3.log)"
grep -q "$((6 - done_before)) of 6 cells are not stored ok" plan3.log || fail "--missing planned the wrong cells: $(cat plan3.log)"
wait_for_jobs
"$kdad" merge plan2/shards/*.sqlite plan3/shards/*.sqlite --into merged2.sqlite >merge3.log 2>&1 || fail "merge 3: $(cat merge3.log)"
[ "$(cells_ok merged2.sqlite)" -eq 6 ] || fail "after re-submitting the missing cells the merged database holds $(cells_ok merged2.sqlite) of 6"
"$kdad" merge plan2/shards/*.sqlite plan3/shards/*.sqlite --into merged2.sqlite >merge4.log 2>&1 || fail "merge 4"
grep -Eq "[1-9][0-9]* (run|cell)\(s\) added|[1-9][0-9]* replaced" merge4.log && fail "merging again changed the database: $(cat merge4.log)"
echo "task $running cancelled: $done_before of 6 cells stored; --missing re-submitted $((6 - done_before)); merged twice: 6 cells"
