# A private Docker engine for the smoke check: its own socket, state and pid file, no iptables
# and no bridge (containers use the host's network, on loopback), so it cannot disturb another
# engine or agent on the machine. Other programs keep using the default socket, where nothing
# answers: the tests' fixtures pick testcontainers only while an engine answers there or at
# DOCKER_HOST. Sourced, not run; stop_engine must run on every exit (the caller's trap).

ENGINE_PID="" ENGINE_RUN_DIR=""

# start_engine DATA_ROOT RUN_DIR: starts dockerd and exports DOCKER_HOST for this script only.
start_engine() {
  local data_root=$1 run_dir=$2
  ENGINE_RUN_DIR=$run_dir
  mkdir -p "$data_root" "$run_dir"
  # Any engine left by an interrupted run of this check is found by its own pid file, only.
  if [ -s "$run_dir/docker.pid" ] && kill -0 "$(cat "$run_dir/docker.pid")" 2>/dev/null; then
    echo "an engine of an earlier smoke run is still running (pid $(cat "$run_dir/docker.pid")): stop it first" >&2
    return 1
  fi
  dockerd --iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false \
    --data-root "$data_root" --exec-root "$run_dir/exec" --pidfile "$run_dir/docker.pid" \
    -H "unix://$run_dir/docker.sock" >"$run_dir/dockerd.log" 2>&1 &
  ENGINE_PID=$!
  export DOCKER_HOST="unix://$run_dir/docker.sock"
  wait_for 60 "the Docker engine" docker version || { tail -20 "$run_dir/dockerd.log" >&2; return 1; }
  docker info --format 'engine {{.ServerVersion}}, storage driver {{.Driver}}, cgroup {{.CgroupVersion}}'
}

# stop_engine: SIGTERM to our dockerd (it stops its containerd), then waits; SIGKILL after 60 s.
stop_engine() {
  [ -n "$ENGINE_PID" ] || return 0
  kill -TERM "$ENGINE_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$ENGINE_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
  if kill -0 "$ENGINE_PID" 2>/dev/null; then
    echo "the engine did not stop in 60 s: killing pid $ENGINE_PID" >&2
    kill -KILL "$ENGINE_PID" 2>/dev/null || true
  fi
  wait "$ENGINE_PID" 2>/dev/null || true
  # dockerd leaves its network namespace mounted under its exec root; unmounted so that the
  # folder can be removed (make clean).
  findmnt -rn -o TARGET | grep "^$ENGINE_RUN_DIR/" | sort -r | while read -r target; do umount "$target" || true; done
  echo "engine stopped (pid $ENGINE_PID)"
  ENGINE_PID=""
}
