# Shared by the smoke check's scripts: numbered steps that print their result and time, and
# bounded waits. Sourced, not run.

STEP=0

# step "what it does" command args...: runs it, prints "ok" or "FAILED" with the seconds it took;
# a failure ends the whole check (the EXIT trap then cleans up).
step() {
  local what=$1 started=$SECONDS
  shift
  STEP=$((STEP + 1))
  printf '[%2d] %s ...\n' "$STEP" "$what"
  if "$@"; then
    printf '[%2d] ok      %s (%d s)\n' "$STEP" "$what" $((SECONDS - started))
  else
    printf '[%2d] FAILED  %s (%d s)\n' "$STEP" "$what" $((SECONDS - started))
    exit 1
  fi
}

# wait_for SECONDS "what" command args...: retries once a second until it succeeds or the
# deadline passes.
wait_for() {
  local limit=$1 what=$2
  local deadline=$((SECONDS + limit))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "gave up waiting for $what after $limit s" >&2
      return 1
    fi
    sleep 1
  done
}

# port_free PORT: nothing listens on it (on any address).
port_free() {
  ! ss -Htln "sport = :$1" | grep -q .
}
