#!/usr/bin/env bash
# Savepoint replay of consumer-graph on a Flink 2.x session cluster, over the REST API:
# stop the job with a savepoint, then run the job jar again from that savepoint, optionally with
# the live Kafka sources rewound (README.md, "Replays").
#
# Needs bash, curl and python3 (JSON in and out; no jq).
set -uo pipefail

readonly PROG=replay.sh
readonly POLL_SECONDS=1

usage() {
  cat <<'EOF'
usage: replay.sh --rest URL --job JOB_ID --jar JAR_ID|JAR_PATH --savepoint-dir DIR
                 [--rewind-to earliest|timestamp:<epochMs>|<ISO-8601>] [--generation N]
                 [--timeout SECONDS] [--parallelism P] [--entry-class CLASS]
                 [--from-savepoint PATH] [--dry-run] -- <job args...>

  --rest URL            Flink REST endpoint, e.g. http://localhost:8081
  --job JOB_ID          the running job to stop with a savepoint
  --jar JAR_ID|PATH     an uploaded jar's id (GET /jars) or a local jar file to upload first
  --savepoint-dir DIR   savepoint target directory, as the cluster sees it (file://, s3://, ...)
  --rewind-to WHERE     re-read receipts, factoids and enrollments from WHERE: earliest,
                        timestamp:<epochMs> or an ISO-8601 instant with zone (2026-12-01T10:00:00Z);
                        needs --generation. Without it every state is restored, offsets included
  --generation N        the new kafka.rewind-generation: one more than the job runs with now
                        (0 for a job never rewound); required with --rewind-to
  --timeout SECONDS     limit for the savepoint and for the new job to run (default 600)
  --parallelism P       parallelism of the new job (default: the cluster's)
  --entry-class CLASS   main class (default: the jar manifest's, io.consumergraph.job.ConsumerGraphJob)
  --from-savepoint PATH skip the stop: only run the jar from PATH (to retry a failed restart)
  --dry-run             print the REST calls, make none
  -- <job args...>      the job's own --key value arguments, as the stopped job had them
                        (without kafka.rewind-generation / kafka.start-from when rewinding)

Prints "savepoint: <path>" and "job: <new job id>" on stdout, progress on stderr.
Exit: 0 done; 2 bad arguments; 3 REST endpoint unreachable, or the job unknown or not RUNNING
(nothing done); 4 the savepoint failed or timed out (the job keeps running); 5 the jar could not be
uploaded or is unknown (before the stop: nothing done), or running it failed (after the stop: the
job is stopped, retry with --from-savepoint <path>); 6 the new job did not reach RUNNING.
EOF
}

die() { # code message...
  local code=$1
  shift
  echo "$PROG: $*" >&2
  exit "$code"
}

bad_args() {
  echo "$PROG: $*" >&2
  echo "run '$PROG --help' for usage" >&2
  exit 2
}

log() { echo "$PROG: $*" >&2; }

command -v curl >/dev/null 2>&1 || die 2 "curl is required"
command -v python3 >/dev/null 2>&1 || die 2 "python3 is required (JSON handling)"

# --- JSON helpers (python3) ------------------------------------------------------------------

# json_field PATH < json: the value at a dotted PATH ("operation.location"), empty if absent;
# objects and lists come out as JSON.
json_field() {
  python3 -c '
import json, sys
try:
    v = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
for k in sys.argv[1].split("."):
    if isinstance(v, dict) and k in v:
        v = v[k]
    elif isinstance(v, list) and k.isdigit() and int(k) < len(v):
        v = v[int(k)]
    else:
        sys.exit(0)
if isinstance(v, (dict, list)):
    print(json.dumps(v))
elif isinstance(v, bool):
    print("true" if v else "false")
elif v is not None:
    print(v)
' "$1"
}

# The first line of a Flink error body ({"errors": [...]}) or the body itself, shortened.
error_text() {
  python3 -c '
import json, sys
raw = sys.stdin.read()
try:
    errors = json.loads(raw).get("errors") or []
    text = " | ".join(str(e).strip().splitlines()[0] for e in errors if str(e).strip())
except (ValueError, AttributeError):
    text = raw.strip()
print((text or "(empty body)")[:600])
'
}

# --- arguments -------------------------------------------------------------------------------

REST="" JOB="" JAR="" SAVEPOINT_DIR="" REWIND_TO="" GENERATION="" TIMEOUT=600
PARALLELISM="" ENTRY_CLASS="" FROM_SAVEPOINT="" DRY_RUN=false
JOB_ARGS=()

need_value() { [[ $# -ge 2 && -n $2 ]] || bad_args "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --rest) need_value "$@"; REST=${2%/}; shift 2 ;;
    --job) need_value "$@"; JOB=$2; shift 2 ;;
    --jar) need_value "$@"; JAR=$2; shift 2 ;;
    --savepoint-dir) need_value "$@"; SAVEPOINT_DIR=$2; shift 2 ;;
    --rewind-to) need_value "$@"; REWIND_TO=$2; shift 2 ;;
    --generation) need_value "$@"; GENERATION=$2; shift 2 ;;
    --timeout) need_value "$@"; TIMEOUT=$2; shift 2 ;;
    --parallelism) need_value "$@"; PARALLELISM=$2; shift 2 ;;
    --entry-class) need_value "$@"; ENTRY_CLASS=$2; shift 2 ;;
    --from-savepoint) need_value "$@"; FROM_SAVEPOINT=$2; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; JOB_ARGS=("$@"); break ;;
    *) bad_args "unknown option '$1' (the job's own arguments go after --)" ;;
  esac
done

[[ -n $REST ]] || bad_args "--rest is required"
[[ $REST =~ ^https?:// ]] || bad_args "--rest must be an http(s) URL, got '$REST'"
[[ -n $JAR ]] || bad_args "--jar is required"
if [[ -z $FROM_SAVEPOINT ]]; then
  [[ -n $JOB ]] || bad_args "--job is required (or --from-savepoint to only restart)"
  [[ $JOB =~ ^[0-9a-f]{32}$ ]] || bad_args "--job must be a 32-digit hex job id, got '$JOB'"
  [[ -n $SAVEPOINT_DIR ]] || bad_args "--savepoint-dir is required"
elif [[ -n $JOB ]]; then
  bad_args "--job and --from-savepoint exclude each other"
fi
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || bad_args "--timeout must be a positive number of seconds, got '$TIMEOUT'"
[[ -z $PARALLELISM || $PARALLELISM =~ ^[1-9][0-9]*$ ]] || bad_args "--parallelism must be a positive integer, got '$PARALLELISM'"
[[ ${#JOB_ARGS[@]} -gt 0 ]] || bad_args "the job's arguments are required after -- (at least --kafka.bootstrap-servers and --flags.location)"

START_FROM=""
if [[ -n $REWIND_TO ]]; then
  [[ -n $GENERATION ]] || bad_args "--rewind-to needs --generation N (one more than the running job's kafka.rewind-generation)"
  [[ $GENERATION =~ ^[1-9][0-9]*$ ]] || bad_args "--generation must be a positive integer, got '$GENERATION'"
  case $REWIND_TO in
    earliest) START_FROM=earliest ;;
    timestamp:*)
      [[ ${REWIND_TO#timestamp:} =~ ^[0-9]+$ ]] || bad_args "--rewind-to timestamp:<epochMs> needs milliseconds, got '$REWIND_TO'"
      START_FROM=$REWIND_TO ;;
    *)
      MS=$(python3 -c '
import datetime, sys
s = sys.argv[1]
if s.endswith("Z") or s.endswith("z"):
    s = s[:-1] + "+00:00"
try:
    t = datetime.datetime.fromisoformat(s)
except ValueError:
    sys.exit(1)
if t.tzinfo is None:
    sys.exit(3)
print(int(t.timestamp() * 1000))
' "$REWIND_TO")
      case $? in
        0) START_FROM="timestamp:$MS" ;;
        3) bad_args "--rewind-to '$REWIND_TO' has no zone: add Z or an offset (+02:00)" ;;
        *) bad_args "--rewind-to must be earliest, timestamp:<epochMs> or an ISO-8601 instant, got '$REWIND_TO'" ;;
      esac ;;
  esac
  for a in "${JOB_ARGS[@]}"; do
    case $a in
      --kafka.rewind-generation | --kafka.rewind-generation=* | --kafka.start-from | --kafka.start-from=*)
        bad_args "with --rewind-to, leave $a out of the job arguments: the script sets it" ;;
    esac
  done
  JOB_ARGS+=(--kafka.rewind-generation "$GENERATION" --kafka.start-from "$START_FROM")
  ALLOW_NON_RESTORED=true
else
  [[ -z $GENERATION ]] || bad_args "--generation is only meaningful with --rewind-to"
  ALLOW_NON_RESTORED=false
fi

# --- REST ------------------------------------------------------------------------------------

HTTP_STATUS="" HTTP_BODY=""
CURL_ERR=$(mktemp) || die 1 "cannot create a temporary file"
trap 'rm -f "$CURL_ERR"' EXIT

# rest METHOD PATH [JSON_BODY]: sets HTTP_STATUS and HTTP_BODY; exits 3 when unreachable.
rest() {
  local method=$1 path=$2 body=${3-} out
  local args=(-sS -X "$method" -w $'\n%{http_code}' --max-time 60)
  if [[ -n $body ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$body")
  fi
  if ! out=$(curl "${args[@]}" "$REST$path" 2>"$CURL_ERR"); then
    die 3 "cannot reach the Flink REST endpoint $REST ($method $path): $(head -c 300 "$CURL_ERR")"
  fi
  HTTP_STATUS=${out##*$'\n'}
  HTTP_BODY=${out%$'\n'*}
}

show() { # METHOD PATH [BODY]: the dry-run line of a call
  echo "$1 $REST$2${3:+ $3}"
}

run_body() { # the JSON of POST /jars/{id}/run
  python3 -c '
import json, sys
savepoint, allow, entry, parallelism = sys.argv[1:5]
body = {"programArgsList": sys.argv[5:], "savepointPath": savepoint,
        "allowNonRestoredState": allow == "true"}
if entry:
    body["entryClass"] = entry
if parallelism:
    body["parallelism"] = int(parallelism)
print(json.dumps(body))
' "$1" "$ALLOW_NON_RESTORED" "$ENTRY_CLASS" "$PARALLELISM" "${JOB_ARGS[@]}"
}

STOP_BODY=$(python3 -c 'import json,sys; print(json.dumps({"targetDirectory": sys.argv[1], "drain": False}))' "$SAVEPOINT_DIR")

if $DRY_RUN; then
  [[ -n $FROM_SAVEPOINT ]] || show GET "/jobs/$JOB" "(must be RUNNING)"
  if [[ -f $JAR ]]; then
    show POST /jars/upload "(multipart jarfile=@$JAR)"
    JAR_ID="<uploaded-jar-id>"
  else
    show GET /jars "(must list $JAR)"
    JAR_ID=$JAR
  fi
  if [[ -z $FROM_SAVEPOINT ]]; then
    show POST "/jobs/$JOB/stop" "$STOP_BODY"
    show GET "/jobs/$JOB/savepoints/<request-id>" "(every ${POLL_SECONDS}s until COMPLETED, at most ${TIMEOUT}s)"
  fi
  show POST "/jars/$JAR_ID/run" "$(run_body "${FROM_SAVEPOINT:-<savepoint-path>}")"
  show GET "/jobs/<new-job-id>" "(until RUNNING, at most ${TIMEOUT}s)"
  exit 0
fi

deadline=$((SECONDS + TIMEOUT))

# 0. The job must exist and run.
if [[ -z $FROM_SAVEPOINT ]]; then
  rest GET "/jobs/$JOB"
  case $HTTP_STATUS in
    200) ;;
    404) die 3 "job $JOB not found at $REST (GET /jobs shows the cluster's jobs)" ;;
    *) die 3 "GET /jobs/$JOB answered $HTTP_STATUS: $(error_text <<<"$HTTP_BODY")" ;;
  esac
  state=$(json_field state <<<"$HTTP_BODY")
  [[ $state == RUNNING ]] || die 3 "job $JOB is $state, not RUNNING: nothing to stop"
fi

# 1. The jar, before anything stops: uploaded now, or an id the cluster knows.
if [[ -f $JAR ]]; then
  log "uploading $JAR"
  if ! out=$(curl -sS -X POST -w $'\n%{http_code}' --max-time 300 -F "jarfile=@$JAR" "$REST/jars/upload" 2>"$CURL_ERR"); then
    die 3 "cannot upload $JAR to $REST: $(head -c 300 "$CURL_ERR")"
  fi
  HTTP_STATUS=${out##*$'\n'}
  HTTP_BODY=${out%$'\n'*}
  [[ $HTTP_STATUS == 200 ]] ||
    die 5 "jar upload answered $HTTP_STATUS: $(error_text <<<"$HTTP_BODY")"
  uploaded=$(json_field filename <<<"$HTTP_BODY")
  JAR_ID=${uploaded##*/}
  [[ -n $JAR_ID ]] || die 5 "jar upload gave no file name: $HTTP_BODY"
  log "uploaded as $JAR_ID"
else
  JAR_ID=$JAR
  rest GET /jars
  [[ $HTTP_STATUS == 200 ]] || die 5 "GET /jars answered $HTTP_STATUS: $(error_text <<<"$HTTP_BODY")"
  known=$(python3 -c 'import json,sys; print("\n".join(f.get("id", "") for f in json.load(sys.stdin).get("files", [])))' <<<"$HTTP_BODY")
  grep -qxF -- "$JAR_ID" <<<"$known" ||
    die 5 "jar $JAR_ID is not uploaded to $REST (GET /jars lists: ${known//$'\n'/ }), nor a local file"
fi

# 2. Stop it with a savepoint.
if [[ -z $FROM_SAVEPOINT ]]; then
  log "stopping job $JOB with a savepoint in $SAVEPOINT_DIR"
  rest POST "/jobs/$JOB/stop" "$STOP_BODY"
  [[ $HTTP_STATUS == 202 || $HTTP_STATUS == 200 ]] ||
    die 4 "stop-with-savepoint of $JOB refused ($HTTP_STATUS): $(error_text <<<"$HTTP_BODY"); the job keeps running"
  trigger=$(json_field request-id <<<"$HTTP_BODY")
  [[ -n $trigger ]] || die 4 "stop-with-savepoint of $JOB gave no request-id: $HTTP_BODY"

  savepoint=""
  while :; do
    rest GET "/jobs/$JOB/savepoints/$trigger"
    [[ $HTTP_STATUS == 200 ]] ||
      die 4 "savepoint status of $JOB answered $HTTP_STATUS: $(error_text <<<"$HTTP_BODY")"
    status=$(json_field status.id <<<"$HTTP_BODY")
    if [[ $status == COMPLETED ]]; then
      savepoint=$(json_field operation.location <<<"$HTTP_BODY")
      if [[ -z $savepoint ]]; then
        operation=$(json_field operation <<<"$HTTP_BODY")
        cause=$(json_field operation.failure-cause.stack-trace <<<"$HTTP_BODY" | head -n 1)
        rest GET "/jobs/$JOB"
        die 4 "the savepoint of $JOB failed: ${cause:-$operation}; the job" \
          "is $(json_field state <<<"$HTTP_BODY") (a failed stop-with-savepoint leaves it running)"
      fi
      break
    fi
    if ((SECONDS >= deadline)); then
      die 4 "the savepoint of $JOB is still $status after ${TIMEOUT}s: the job keeps running until" \
        "it completes; check GET $REST/jobs/$JOB/savepoints/$trigger, then restart with" \
        "--from-savepoint <path> once the job is FINISHED"
    fi
    sleep "$POLL_SECONDS"
  done
  log "savepoint completed: $savepoint"
  echo "savepoint: $savepoint"
else
  savepoint=$FROM_SAVEPOINT
  log "restarting from $savepoint (no stop)"
fi

# 3. Run it from the savepoint.
if [[ -n $START_FROM ]]; then
  log "running $JAR_ID from the savepoint, rewound to $START_FROM (generation $GENERATION, non-restored state allowed)"
else
  log "running $JAR_ID from the savepoint, every state restored"
fi
rest POST "/jars/$JAR_ID/run" "$(run_body "$savepoint")"
[[ $HTTP_STATUS == 200 ]] ||
  die 5 "running $JAR_ID answered $HTTP_STATUS: $(error_text <<<"$HTTP_BODY"); the job is stopped, retry with --from-savepoint $savepoint"
new_job=$(json_field jobid <<<"$HTTP_BODY")
[[ -n $new_job ]] || die 5 "running $JAR_ID gave no job id: $HTTP_BODY"
log "submitted job $new_job"

# 4. Until it runs.
while :; do
  rest GET "/jobs/$new_job"
  state=$(json_field state <<<"$HTTP_BODY")
  case $state in
    RUNNING) break ;;
    FAILED | CANCELED | FINISHED)
      rest GET "/jobs/$new_job/exceptions"
      die 6 "job $new_job is $state: $(json_field exceptionHistory.entries.0.exceptionName <<<"$HTTP_BODY")" \
        "(GET $REST/jobs/$new_job/exceptions; savepoint $savepoint)" ;;
  esac
  ((SECONDS < deadline)) ||
    die 6 "job $new_job is still ${state:-unknown} after ${TIMEOUT}s (savepoint $savepoint)"
  sleep "$POLL_SECONDS"
done
log "job $new_job is RUNNING"
echo "job: $new_job"
