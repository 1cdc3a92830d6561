#!/usr/bin/env bash
# Start or stop a private Virtuoso for the tests (and for trying the remote store).
#
#   eval "$(scripts/virtuoso.sh start)"   # starts it, prints `export ...` lines
#   make test                             # the virtuoso store tests now run
#   scripts/virtuoso.sh stop              # stops it and deletes its database
#
# It installs nothing: Debian's virtuoso-opensource-7-bin must be installed
# (.ci/run does that). The server listens on 127.0.0.1 only, on free ports, with
# its database in a fresh temporary directory, so it never touches a Virtuoso
# the machine may already run. `start` waits until the SPARQL endpoint answers,
# then creates a user with SPARQL_UPDATE and prints the variables the tests read:
#
#   SCREG_TEST_VIRTUOSO_URL          the query endpoint needing Digest auth (/sparql-auth)
#   SCREG_TEST_VIRTUOSO_USER / _PASSWORD
#   SCREG_TEST_VIRTUOSO_DIR          the private directory (pid, log, database)
#
# Diagnostics go to stderr; stdout carries only the export lines.
set -euo pipefail

VIRTUOSO_BIN=${VIRTUOSO_BIN:-virtuoso-t}
ISQL_BIN=${ISQL_BIN:-isql-vt}
READY_SECONDS=${SCREG_VIRTUOSO_READY_SECONDS:-120}

die() { echo "virtuoso.sh: $*" >&2; exit 1; }

free_port() {
  # Port 0 makes the kernel choose; the tiny window until Virtuoso binds it is
  # the price of not hard-coding ports that another run may hold.
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

isql() { # isql PORT SQL...
  local port=$1; shift
  "$ISQL_BIN" "127.0.0.1:$port" dba dba "exec=$*" >&2
}

start() {
  command -v "$VIRTUOSO_BIN" >/dev/null || die "$VIRTUOSO_BIN not found; apt-get install virtuoso-opensource-7-bin"
  local dir sql_port http_port password
  dir=$(mktemp -d "${TMPDIR:-/tmp}/screg-virtuoso.XXXXXX")
  sql_port=$(free_port)
  http_port=$(free_port)
  password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  mkdir -p "$dir/db"
  cat >"$dir/virtuoso.ini" <<INI
; Written by scripts/virtuoso.sh for one test run; deleted by \`stop\`.
[Database]
DatabaseFile       = $dir/db/virtuoso.db
ErrorLogFile       = $dir/db/virtuoso.log
LockFile           = $dir/db/virtuoso.lck
TransactionFile    = $dir/db/virtuoso.trx
xa_persistent_file = $dir/db/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/db/virtuoso-temp.db
TransactionFile    = $dir/db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:$sql_port
DisableTcpSocket   = 0
; ~200 MB of buffers: enough for the tests and benchmarks, small enough for CI.
NumberOfBuffers    = 17000
MaxDirtyBuffers    = 13000
ThreadsPerQuery    = 2
MaxMemPoolSize     = 200000000
DirsAllowed        = ., $dir
CheckpointInterval = 60
SchedulerInterval  = 10
CaseMode           = 2
MaxStaticCursorRows = 5000
; The tests drop and re-create graphs constantly; the log is not worth keeping.
TransactionAfterImageLimit = 500000000

[HTTPServer]
ServerPort         = 127.0.0.1:$http_port
ServerRoot         = $dir
ServerThreads      = 10
MaxClientConnections = 10
MaxKeepAlives      = 10
KeepAliveTimeout   = 10
EnabledDavVSP      = 0
HTTPProxyEnabled   = 0

[SPARQL]
; The store reads whole graphs and dumps through SELECT: never cut a result short.
ResultSetMaxRows   = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 120
DefaultQuery       = SELECT * WHERE { ?s ?p ?o } LIMIT 10
INI
  # The whole subshell goes to the background and becomes Virtuoso (exec), with every
  # stream redirected: a background job that kept this script's stdout would hold a
  # caller's $(scripts/virtuoso.sh start) open until Virtuoso exits.
  (cd "$dir" && exec nohup "$VIRTUOSO_BIN" +foreground +configfile "$dir/virtuoso.ini" \
      </dev/null >"$dir/virtuoso.out" 2>&1) &
  echo $! >"$dir/virtuoso.pid"
  echo "virtuoso.sh: starting Virtuoso (pid $(cat "$dir/virtuoso.pid")) in $dir, http $http_port, sql $sql_port" >&2

  # Ready means the SPARQL endpoint answers a query, polled, not guessed with a sleep.
  local deadline=$((SECONDS + READY_SECONDS))
  until curl -fsS -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D" 2>/dev/null; do
    if ! kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null; then
      cat "$dir/virtuoso.out" "$dir/db/virtuoso.log" >&2 2>/dev/null || true
      die "Virtuoso exited during start-up"
    fi
    [ $SECONDS -lt $deadline ] || die "Virtuoso did not answer within ${READY_SECONDS}s (log: $dir/db/virtuoso.log)"
    sleep 0.2
  done

  # A user for the registry: SPARQL_UPDATE through /sparql-auth (Digest), and the
  # right to read and write every graph (Virtuoso's graph permissions: 15 = all).
  isql "$sql_port" "DB.DBA.USER_CREATE('screg', '$password'); GRANT SPARQL_UPDATE TO \"screg\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET('screg', 15); DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0);"
  # Graphs a fresh Virtuoso ships with (its own documentation, ontologies) are
  # not the registry's: an empty server makes an empty store in the tests.
  isql "$sql_port" "SPARQL DROP SILENT GRAPH <http://www.w3.org/ns/ldp#>; SPARQL DROP SILENT GRAPH <http://localhost:8890/sparql>; SPARQL DROP SILENT GRAPH <http://localhost:8890/DAV/>; SPARQL DROP SILENT GRAPH <http://www.w3.org/2002/07/owl#>;"

  echo "$sql_port" >"$dir/sql.port"
  echo "$http_port" >"$dir/http.port"
  cat <<EXPORTS
export SCREG_TEST_VIRTUOSO_URL=http://127.0.0.1:$http_port/sparql-auth
export SCREG_TEST_VIRTUOSO_USER=screg
export SCREG_TEST_VIRTUOSO_PASSWORD=$password
export SCREG_TEST_VIRTUOSO_DIR=$dir
EXPORTS
}

stop() {
  local dir=${1:-${SCREG_TEST_VIRTUOSO_DIR:-}}
  [ -n "$dir" ] || die "stop: give the directory or set SCREG_TEST_VIRTUOSO_DIR"
  [ -f "$dir/virtuoso.pid" ] || die "stop: no Virtuoso started in $dir"
  local pid
  pid=$(cat "$dir/virtuoso.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    # Virtuoso checkpoints on SIGTERM; give it time, then insist.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  case "$dir" in
    "${TMPDIR:-/tmp}"/screg-virtuoso.*) rm -rf "$dir" ;;
    *) echo "virtuoso.sh: left $dir in place (not a directory this script made)" >&2 ;;
  esac
  echo "virtuoso.sh: stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "${1:-}" ;;
  *) echo "usage: $0 start | stop [DIR]" >&2; exit 2 ;;
esac
