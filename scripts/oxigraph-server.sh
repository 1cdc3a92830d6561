#!/usr/bin/env bash
# Start or stop a private Oxigraph server (`oxigraph serve`) for the tests, the
# second SPARQL 1.1 server the remote store is tested against (besides Virtuoso).
#
#   eval "$(scripts/oxigraph-server.sh start)"   # starts it, prints `export ...` lines
#   make test                                    # the oxigraph-server tests now run
#   scripts/oxigraph-server.sh stop              # stops it and deletes its data
#
# It installs nothing: the `oxigraph` command comes from the PyPI package `oxigraph`
# (the project's test extra; `make` installs it into .venv). The server listens on
# 127.0.0.1 only, on a free port, with its data in a fresh temporary directory.
# `start` waits until the query endpoint answers, then prints the variables the
# tests read:
#
#   SCREG_TEST_OXIGRAPH_URL   the query endpoint (/query; updates go to /update)
#   SCREG_TEST_OXIGRAPH_DIR   the private directory (pid, port, log, data)
#
# The server has no authentication: it must never listen beyond the loopback.
# Diagnostics go to stderr; stdout carries only the export lines.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
OXIGRAPH_BIN=${OXIGRAPH_BIN:-}
if [ -z "$OXIGRAPH_BIN" ]; then
  if [ -x "$here/.venv/bin/oxigraph" ]; then OXIGRAPH_BIN=$here/.venv/bin/oxigraph; else OXIGRAPH_BIN=oxigraph; fi
fi
READY_SECONDS=${SCREG_OXIGRAPH_READY_SECONDS:-60}

die() { echo "oxigraph-server.sh: $*" >&2; exit 1; }

free_port() {
  # Port 0 makes the kernel choose; the tiny window until the server binds it is
  # the price of not hard-coding ports that another run may hold.
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# launch DIR: start the server on the data and port kept in DIR (used by `start`).
# --timeout-s as docs/deploy.md asks: a public query the API gave up on stops here too
# instead of running on (a probe's ran at 90% of a core and 2 GB until a restart). Above
# the store's own request timeout (60 s by default), which its reads must fit.
launch() {
  local dir=$1 port
  port=$(cat "$dir/http.port")
  # The whole subshell goes to the background and becomes the server (exec), with
  # every stream redirected: a background job that kept this script's stdout would
  # hold a caller's $(scripts/oxigraph-server.sh start) open until the server exits.
  (exec nohup "$OXIGRAPH_BIN" serve --location "$dir/data" --bind "127.0.0.1:$port" --timeout-s 120 \
      </dev/null >>"$dir/oxigraph.log" 2>&1) &
  echo $! >"$dir/oxigraph.pid"
  echo "oxigraph-server.sh: starting oxigraph (pid $(cat "$dir/oxigraph.pid")) in $dir, http $port" >&2
  # Ready means the query endpoint answers, polled, not guessed with a sleep.
  local deadline=$((SECONDS + READY_SECONDS))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/query?query=ASK%7B%7D" 2>/dev/null; do
    if ! kill -0 "$(cat "$dir/oxigraph.pid")" 2>/dev/null; then
      cat "$dir/oxigraph.log" >&2 2>/dev/null || true
      die "oxigraph exited during start-up"
    fi
    [ $SECONDS -lt $deadline ] || die "oxigraph did not answer within ${READY_SECONDS}s (log: $dir/oxigraph.log)"
    sleep 0.1
  done
}

start() {
  command -v "$OXIGRAPH_BIN" >/dev/null || die "$OXIGRAPH_BIN not found; pip install oxigraph (make does, into .venv)"
  local dir port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/screg-oxigraph.XXXXXX")
  port=$(free_port)
  mkdir -p "$dir/data"
  echo "$port" >"$dir/http.port"
  launch "$dir"
  cat <<EXPORTS
export SCREG_TEST_OXIGRAPH_URL=http://127.0.0.1:$port/query
export SCREG_TEST_OXIGRAPH_DIR=$dir
EXPORTS
}

halt() { # halt DIR: stop the server, keep its data
  local dir=$1 pid
  [ -f "$dir/oxigraph.pid" ] || die "no oxigraph started in $dir"
  pid=$(cat "$dir/oxigraph.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  return 0
}

stop() {
  local dir=${1:-${SCREG_TEST_OXIGRAPH_DIR:-}}
  [ -n "$dir" ] || die "stop: give the directory or set SCREG_TEST_OXIGRAPH_DIR"
  halt "$dir"
  case "$dir" in
    "${TMPDIR:-/tmp}"/screg-oxigraph.*) rm -rf "$dir" ;;
    *) echo "oxigraph-server.sh: left $dir in place (not a directory this script made)" >&2 ;;
  esac
  echo "oxigraph-server.sh: stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "${1:-}" ;;
  *) echo "usage: $0 start | stop [DIR]" >&2; exit 2 ;;
esac
