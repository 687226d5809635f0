#!/usr/bin/env bash
# Local Apache Kafka in KRaft mode (each node a broker+controller JVM) for Switchboard
# development and tests, without Docker: one node, or a cluster of KAFKA_NODES nodes
# on localhost that starts and stops as one.
#
#   deploy/kafka/kafka.sh fetch|start|stop|restart|status|kill|reset|help
#   deploy/kafka/kafka.sh kill-node|stop-node|start-node|restart-node N   (cluster)
#
# Jars come from Maven Central (deploy/kafka/pom.xml) into <repo>/.cache/kafka/,
# broker data, config, pid and logs live in <repo>/.data/kafka-<port>/ (a cluster:
# <repo>/.data/kafka-<port>-cluster/node-<n>/).
# Run "kafka.sh help" or see deploy/kafka/README.md for the environment variables.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-4.2.2}"
KAFKA_HOST="127.0.0.1"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_NODES="${KAFKA_NODES:-1}"
KAFKA_PORTS="${KAFKA_PORTS:-}"
KAFKA_CONTROLLER_PORTS="${KAFKA_CONTROLLER_PORTS:-}"
if [[ "${KAFKA_NODES}" == "1" ]]; then
  KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-${REPO_ROOT}/.data/kafka-${KAFKA_PORT}}"
else
  KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-${REPO_ROOT}/.data/kafka-${KAFKA_PORT}-cluster}"
fi
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-${REPO_ROOT}/.cache/kafka}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx768m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_EXTRA_CONFIG="${KAFKA_EXTRA_CONFIG:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA="${JAVA_HOME}/bin/java"
  JAVAC="${JAVA_HOME}/bin/javac"
else
  JAVA="java"
  JAVAC="javac"
fi

POM="${SCRIPT_DIR}/pom.xml"
VERSION_DIR="${KAFKA_CACHE_DIR}/${KAFKA_VERSION}"
LIBS_DIR="${VERSION_DIR}/libs"
CLASSES_DIR="${VERSION_DIR}/classes"
FETCH_MARKER="${VERSION_DIR}/.fetched"

log() { printf 'kafka.sh[%s]: %s\n' "${KAFKA_PORT}" "$*"; }
warn() { printf 'kafka.sh[%s]: %s\n' "${KAFKA_PORT}" "$*" >&2; }
die() {
  warn "error: $*"
  exit 1
}

usage() {
  cat <<EOF
usage: $(basename "$0") <command> [node]

Local Apache Kafka ${KAFKA_VERSION} in KRaft mode without Docker: one node, or
KAFKA_NODES nodes on localhost (each a broker and a controller) that start and stop
as one cluster.

commands:
  fetch     download the Kafka jars from Maven Central into the cache (once)
  start     fetch if needed, format storage once, start in the background and
            wait until every node answers as a broker (no-op if running)
  stop      SIGTERM (controlled shutdown), SIGKILL after \$KAFKA_STOP_TIMEOUT s
  restart   stop, then start
  status    print whether the nodes run; exit 0 if all run, 3 if not
  kill      SIGKILL every node (hard crash, for chaos tests); data is kept
  reset     stop and delete the data directory
  help      this text

commands for node N (1..KAFKA_NODES) of a cluster:
  kill-node N     SIGKILL node N; its data is kept
  stop-node N     controlled shutdown of node N
  start-node N    start node N and wait until the cluster lists every broker again
  restart-node N  stop-node, start-node, then wait until no partition is under-replicated
                  (what a rolling restart waits for before it takes the next node)

environment (current value):
  KAFKA_VERSION          ${KAFKA_VERSION}
  KAFKA_NODES            ${KAFKA_NODES}  (1: one node; 3 or more: replication factor 3, min.insync.replicas 2)
  KAFKA_PORT             ${KAFKA_PORT}  (PLAINTEXT listener on ${KAFKA_HOST}; node n: + 2(n-1))
  KAFKA_CONTROLLER_PORT  ${KAFKA_CONTROLLER_PORT}  (KRaft CONTROLLER listener; node n: + 2(n-1))
  KAFKA_PORTS            ${KAFKA_PORTS:-(from KAFKA_PORT)}  (comma-separated, one per node)
  KAFKA_CONTROLLER_PORTS ${KAFKA_CONTROLLER_PORTS:-(from KAFKA_CONTROLLER_PORT)}
  KAFKA_DATA_DIR         ${KAFKA_DATA_DIR}
  KAFKA_CACHE_DIR        ${KAFKA_CACHE_DIR}
  KAFKA_HEAP             ${KAFKA_HEAP}
  KAFKA_JVM_OPTS         extra JVM options for the brokers
  KAFKA_EXTRA_CONFIG     extra server.properties lines (newline separated, win over defaults)
  KAFKA_START_TIMEOUT    ${KAFKA_START_TIMEOUT}  (seconds to wait for readiness)
  KAFKA_STOP_TIMEOUT     ${KAFKA_STOP_TIMEOUT}  (seconds before SIGKILL)
  JAVA_HOME              JDK to use (>= 17), else java/javac from PATH
EOF
}

# --- validation and derived paths ------------------------------------------

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (($1 > 0 && $1 < 65536)); }
[[ "${KAFKA_NODES}" =~ ^[1-9]$ ]] || die "KAFKA_NODES='${KAFKA_NODES}' is not a number of nodes (1-9)"
[[ "${KAFKA_VERSION}" =~ ^[0-9A-Za-z.-]+$ ]] || die "KAFKA_VERSION='${KAFKA_VERSION}' is not a version"
[[ -n "${KAFKA_DATA_DIR}" ]] || die "KAFKA_DATA_DIR is empty"
case "${KAFKA_DATA_DIR}" in
  /*) ;;
  *) KAFKA_DATA_DIR="${PWD}/${KAFKA_DATA_DIR}" ;;
esac
KAFKA_DATA_DIR="${KAFKA_DATA_DIR%/}"
# The whole deployment's directory (a cluster keeps one directory per node inside):
# the lock, the marker and the cluster id live here.
ROOT_DIR="${KAFKA_DATA_DIR}"
DATA_MARKER="${ROOT_DIR}/.kafka-sh-data-dir"

# Every node's ports: the lists when given, else every second port from the base ones.
if [[ -n "${KAFKA_PORTS}" ]]; then
  IFS=',' read -r -a NODE_PORTS <<<"${KAFKA_PORTS}"
else
  NODE_PORTS=()
  for ((n = 0; n < KAFKA_NODES; n++)); do NODE_PORTS+=($((KAFKA_PORT + 2 * n))); done
fi
if [[ -n "${KAFKA_CONTROLLER_PORTS}" ]]; then
  IFS=',' read -r -a NODE_CONTROLLER_PORTS <<<"${KAFKA_CONTROLLER_PORTS}"
else
  NODE_CONTROLLER_PORTS=()
  for ((n = 0; n < KAFKA_NODES; n++)); do NODE_CONTROLLER_PORTS+=($((KAFKA_CONTROLLER_PORT + 2 * n))); done
fi
((${#NODE_PORTS[@]} == KAFKA_NODES)) || die "KAFKA_PORTS names ${#NODE_PORTS[@]} ports for ${KAFKA_NODES} node(s)"
((${#NODE_CONTROLLER_PORTS[@]} == KAFKA_NODES)) ||
  die "KAFKA_CONTROLLER_PORTS names ${#NODE_CONTROLLER_PORTS[@]} ports for ${KAFKA_NODES} node(s)"
for port in "${NODE_PORTS[@]}" "${NODE_CONTROLLER_PORTS[@]}"; do
  is_port "${port}" || die "'${port}' is not a TCP port"
done
if (($(printf '%s\n' "${NODE_PORTS[@]}" "${NODE_CONTROLLER_PORTS[@]}" | sort -u | wc -l) != 2 * KAFKA_NODES)); then
  die "the listener and controller ports must all differ (${NODE_PORTS[*]} / ${NODE_CONTROLLER_PORTS[*]})"
fi

BOOTSTRAP_ALL="$(printf "${KAFKA_HOST}:%s," "${NODE_PORTS[@]}")"
BOOTSTRAP_ALL="${BOOTSTRAP_ALL%,}"
QUORUM_VOTERS=""
for ((n = 1; n <= KAFKA_NODES; n++)); do
  QUORUM_VOTERS+="${n}@${KAFKA_HOST}:${NODE_CONTROLLER_PORTS[n - 1]},"
done
QUORUM_VOTERS="${QUORUM_VOTERS%,}"
# Three copies of everything, two of which must have a write before it counts, as
# production runs Kafka; fewer nodes can only hold fewer copies.
if ((KAFKA_NODES >= 3)); then
  REPLICATION=3
  MIN_ISR=2
else
  REPLICATION="${KAFKA_NODES}"
  MIN_ISR=1
fi

# Makes node $1 the current one: the variables below then describe it.
select_node() {
  NODE="$1"
  KAFKA_PORT="${NODE_PORTS[NODE - 1]}"
  KAFKA_CONTROLLER_PORT="${NODE_CONTROLLER_PORTS[NODE - 1]}"
  BOOTSTRAP="${KAFKA_HOST}:${KAFKA_PORT}"
  if ((KAFKA_NODES == 1)); then
    NODE_DIR="${ROOT_DIR}"
  else
    NODE_DIR="${ROOT_DIR}/node-${NODE}"
  fi
  CONFIG="${NODE_DIR}/server.properties"
  KRAFT_DIR="${NODE_DIR}/kraft"
  PID_FILE="${NODE_DIR}/kafka.pid"
  SERVER_LOG="${NODE_DIR}/server.log"
  CONSOLE_LOG="${NODE_DIR}/kafka.out"
}
select_node 1

# --- prerequisites ----------------------------------------------------------

check_java() {
  command -v "${JAVA}" >/dev/null 2>&1 ||
    die "java not found: install a JDK >= 17 (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
  local version major
  version="$("${JAVA}" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')"
  major="${version%%.*}"
  if [[ "${major}" == "1" ]]; then
    major="$(cut -d. -f2 <<<"${version}")"
  fi
  [[ "${major}" =~ ^[0-9]+$ ]] || die "cannot tell the Java version from '${JAVA} -version'"
  ((major >= 17)) || die "Kafka ${KAFKA_VERSION} needs Java >= 17, found ${version} (${JAVA}); set JAVA_HOME"
  command -v "${JAVAC}" >/dev/null 2>&1 ||
    die "javac not found: a full JDK >= 17 is needed (the readiness check is compiled), not just a JRE"
}

check_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: install Apache Maven >= 3.6.3 (e.g. apt-get install maven); it downloads the Kafka jars"
}

# Serialise concurrent invocations on a shared file (no-op without flock(1)).
# $1: file descriptor number, $2: lock file, $3: seconds to wait.
take_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  eval "exec $1>\"\$2\""
  flock -w "$3" "$1" || die "timed out after $3 s waiting for another kafka.sh holding $2"
}

release_lock() {
  eval "exec $1>&-"
}

# --- fetch ------------------------------------------------------------------

fetch_stamp() {
  printf '%s %s\n' "${KAFKA_VERSION}" "$(sha256sum "${POM}" | cut -d' ' -f1)"
}

is_fetched() {
  [[ -f "${FETCH_MARKER}" && "$(cat "${FETCH_MARKER}")" == "$(fetch_stamp)" ]]
}

# Resolve the jars (once per version and pom content) and compile BrokerReady.
ensure_runtime() {
  if is_fetched && [[ -f "${CLASSES_DIR}/BrokerReady.class" && ! "${SCRIPT_DIR}/BrokerReady.java" -nt "${CLASSES_DIR}/BrokerReady.class" ]]; then
    return 0
  fi
  check_java
  mkdir -p "${VERSION_DIR}"
  take_lock 8 "${VERSION_DIR}/.lock" 900
  if ! is_fetched; then
    check_mvn
    local tmp started count
    tmp="$(mktemp -d "${VERSION_DIR}/libs.tmp.XXXXXX")"
    started=${SECONDS}
    log "fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${LIBS_DIR}"
    if ! mvn -q -B -Dstyle.color=never --strict-checksums -f "${POM}" dependency:copy-dependencies \
      -Dkafka.version="${KAFKA_VERSION}" -DoutputDirectory="${tmp}" >"${tmp}.mvn.log" 2>&1; then
      cat "${tmp}.mvn.log" >&2
      rm -rf "${tmp}" "${tmp}.mvn.log"
      die "maven could not resolve org.apache.kafka:kafka_2.13:${KAFKA_VERSION} and its dependencies (see above)"
    fi
    rm -f "${tmp}.mvn.log"
    [[ -f "${tmp}/kafka_2.13-${KAFKA_VERSION}.jar" ]] || {
      rm -rf "${tmp}"
      die "kafka_2.13-${KAFKA_VERSION}.jar missing after maven ran"
    }
    rm -rf "${LIBS_DIR}" "${CLASSES_DIR}"
    mv "${tmp}" "${LIBS_DIR}"
    fetch_stamp >"${FETCH_MARKER}"
    count="$(find "${LIBS_DIR}" -maxdepth 1 -name '*.jar' | wc -l)"
    log "fetched ${count} jars in $((SECONDS - started)) s"
  fi
  if [[ ! -f "${CLASSES_DIR}/BrokerReady.class" || "${SCRIPT_DIR}/BrokerReady.java" -nt "${CLASSES_DIR}/BrokerReady.class" ]]; then
    local out
    out="$(mktemp -d "${VERSION_DIR}/classes.tmp.XXXXXX")"
    "${JAVAC}" -nowarn -proc:none -d "${out}" -cp "${LIBS_DIR}/*" "${SCRIPT_DIR}/BrokerReady.java" ||
      die "could not compile ${SCRIPT_DIR}/BrokerReady.java"
    rm -rf "${CLASSES_DIR}"
    mv "${out}" "${CLASSES_DIR}"
  fi
  release_lock 8
}

cmd_fetch() {
  if is_fetched; then
    log "Kafka ${KAFKA_VERSION} jars already in ${LIBS_DIR}"
  fi
  ensure_runtime
}

# --- process helpers --------------------------------------------------------

# True if pid $1 exists and is not a zombie (the broker gets reparented and a
# container's pid 1 does not always reap).
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [[ -r "/proc/$1/stat" ]]; then
    local stat state
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    state="${stat##*) }"
    state="${state%% *}"
    [[ "${state}" != "Z" && "${state}" != "X" ]] || return 1
  fi
  return 0
}

# Prints the current node's pid and succeeds if it is running.
running_pid() {
  [[ -f "${PID_FILE}" ]] || return 1
  local pid
  pid="$(cat "${PID_FILE}" 2>/dev/null)" || return 1
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  pid_alive "${pid}" || return 1
  # Guard against pid reuse: the process must be a broker on our config file.
  if [[ -r "/proc/${pid}/cmdline" ]]; then
    tr '\0' '\n' <"/proc/${pid}/cmdline" | grep -qxF -- "${CONFIG}" || return 1
  fi
  printf '%s\n' "${pid}"
}

# Waits up to $2 seconds for pid $1 to exit.
wait_exit() {
  local pid="$1" deadline=$((SECONDS + $2))
  while pid_alive "${pid}"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

port_in_use() {
  (exec 3<>"/dev/tcp/${KAFKA_HOST}/$1") 2>/dev/null
}

show_log_tail() {
  if [[ -s "${CONSOLE_LOG}" ]]; then
    warn "---- last lines of ${CONSOLE_LOG} ----"
    tail -n 20 "${CONSOLE_LOG}" >&2
  fi
  if [[ -s "${SERVER_LOG}" ]]; then
    # Skip the indented "KafkaConfig values" dumps, they hide the interesting lines.
    warn "---- last lines of ${SERVER_LOG} (config dumps left out) ----"
    grep -v $'^\t' "${SERVER_LOG}" | tail -n 40 >&2 || true
  fi
  warn "---- end of logs (broker log: ${SERVER_LOG}) ----"
}

# Runs "$@" for every node in turn (select_node first).
each_node() {
  local n
  for ((n = 1; n <= KAFKA_NODES; n++)); do
    select_node "${n}"
    "$@"
  done
}

# --- start ------------------------------------------------------------------

prepare_data_dir() {
  if [[ -d "${ROOT_DIR}" && ! -f "${DATA_MARKER}" ]] &&
    [[ -n "$(ls -A "${ROOT_DIR}" 2>/dev/null)" ]]; then
    die "refusing to use ${ROOT_DIR}: not empty and not created by kafka.sh"
  fi
  mkdir -p "${ROOT_DIR}"
  [[ -f "${DATA_MARKER}" ]] || echo "Data directory of deploy/kafka/kafka.sh; 'kafka.sh reset' deletes it." >"${DATA_MARKER}"
}

# Takes the data dir lock (once per invocation) if the data dir is ours.
DATA_DIR_LOCKED=0
lock_data_dir() {
  if ((DATA_DIR_LOCKED == 0)) && [[ -f "${DATA_MARKER}" ]]; then
    take_lock 9 "${ROOT_DIR}/.lock" $((KAFKA_START_TIMEOUT + KAFKA_STOP_TIMEOUT + 60))
    DATA_DIR_LOCKED=1
  fi
}

write_config() {
  local tmp="${CONFIG}.tmp"
  mkdir -p "${NODE_DIR}"
  cat >"${tmp}" <<EOF
# Generated by deploy/kafka/kafka.sh on every start: edits are overwritten.
# Use KAFKA_EXTRA_CONFIG for extra settings.
process.roles=broker,controller
node.id=${NODE}
controller.quorum.voters=${QUORUM_VOTERS}
listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT},CONTROLLER://${KAFKA_HOST}:${KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${KRAFT_DIR}

num.partitions=6
default.replication.factor=${REPLICATION}
min.insync.replicas=${MIN_ISR}
offsets.topic.replication.factor=${REPLICATION}
transaction.state.log.replication.factor=${REPLICATION}
transaction.state.log.min.isr=${MIN_ISR}
share.coordinator.state.topic.replication.factor=${REPLICATION}
share.coordinator.state.topic.min.isr=${MIN_ISR}
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  if ((KAFKA_NODES > 1)); then
    # A node that dies is fenced (and leaves every ISR, so acks=all writes go on) after
    # 6 s rather than 9 s without a heartbeat; a restarted one is admitted as soon.
    cat >>"${tmp}" <<EOF
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
EOF
  fi
  if [[ -n "${KAFKA_EXTRA_CONFIG}" ]]; then
    printf '\n# KAFKA_EXTRA_CONFIG\n%s\n' "${KAFKA_EXTRA_CONFIG}" >>"${tmp}"
  fi
  mv "${tmp}" "${CONFIG}"
}

# A random Kafka cluster id: 16 random bytes, URL-safe base64 without padding.
new_cluster_id() {
  local id=""
  while [[ -z "${id}" || "${id}" == -* ]]; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  printf '%s\n' "${id}"
}

# The id every node of this deployment is formatted with (made once, then kept).
cluster_id() {
  local file="${ROOT_DIR}/cluster.id"
  [[ -s "${file}" ]] || new_cluster_id >"${file}"
  cat "${file}"
}

tool_java() {
  "${JAVA}" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="${SCRIPT_DIR}/log4j2-tools.xml" "$@"
}

format_storage() {
  if [[ -f "${KRAFT_DIR}/meta.properties" ]]; then
    return 0
  fi
  local id output
  id="$(cluster_id)"
  log "formatting KRaft storage in ${KRAFT_DIR} (cluster id ${id}, node ${NODE})"
  if ! output="$(tool_java -cp "${LIBS_DIR}/*" kafka.tools.StorageTool format \
    --config "${CONFIG}" --cluster-id "${id}" --ignore-formatted 2>&1)"; then
    printf '%s\n' "${output}" >&2
    die "kafka.tools.StorageTool format failed"
  fi
}

launch_broker() {
  local -a heap extra launcher=()
  read -r -a heap <<<"${KAFKA_HEAP}"
  read -r -a extra <<<"${KAFKA_JVM_OPTS}"
  # setsid: the broker must not die with the caller's terminal or process group.
  if command -v setsid >/dev/null 2>&1; then
    launcher=(setsid)
  fi
  printf '==== %s kafka.sh start (Kafka %s, %s) ====\n' "$(date '+%F %T')" "${KAFKA_VERSION}" "${BOOTSTRAP}" >>"${CONSOLE_LOG}"
  "${launcher[@]}" "${JAVA}" "${heap[@]}" -server \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="${SCRIPT_DIR}/log4j2.xml" \
    -Dkafka.logs.dir="${NODE_DIR}" \
    "${extra[@]}" \
    -cp "${LIBS_DIR}/*" kafka.Kafka "${CONFIG}" \
    </dev/null >>"${CONSOLE_LOG}" 2>&1 8>&- 9>&- &
  BROKER_PID=$!
  printf '%s\n' "${BROKER_PID}" >"${PID_FILE}"
  printf '%s\n' "${KAFKA_VERSION}" >"${NODE_DIR}/kafka.version"
}

# A broker cannot read metadata written by a newer one (its metadata.version is
# unknown there): say so, instead of a broker that dies while starting.
refuse_newer_data() {
  local written newest
  [[ -f "${NODE_DIR}/kafka.version" ]] || return 0
  written="$(cat "${NODE_DIR}/kafka.version")"
  [[ "${written}" != "${KAFKA_VERSION}" ]] || return 0
  newest="$(printf '%s\n%s\n' "${written}" "${KAFKA_VERSION}" | sort -V | tail -n 1)"
  if [[ "${newest}" == "${written}" ]]; then
    die "${NODE_DIR} was written by Kafka ${written}, newer than ${KAFKA_VERSION}:" \
      "run 'kafka.sh reset' to start afresh (deletes its data) or set KAFKA_VERSION=${written}"
  fi
}

# Launches the current node unless it runs; appends its pid to LAUNCHED.
LAUNCHED=()
launch_node() {
  local pid port
  if pid="$(running_pid)"; then
    log "node ${NODE} already running (pid ${pid})"
    return 0
  fi
  for port in "${KAFKA_PORT}" "${KAFKA_CONTROLLER_PORT}"; do
    if port_in_use "${port}"; then
      die "port ${port} on ${KAFKA_HOST} is already in use (another broker? set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
    fi
  done
  refuse_newer_data
  rm -f "${PID_FILE}"
  write_config
  format_storage
  launch_broker
  LAUNCHED+=("${BROKER_PID}")
  log "started Kafka ${KAFKA_VERSION} node ${NODE} (pid ${BROKER_PID}); broker log: ${SERVER_LOG}"
}

# Waits until the brokers at $1 answer and the cluster lists every node: $2 "all", or
# "in-sync" (and no partition is under-replicated). Fails when a launched node exits.
# A node being started is asked itself: it answers once it is registered and unfenced,
# while the cluster may still list a killed node's old registration for a few seconds.
await_cluster() {
  local bootstrap="$1" what="$2" started=${SECONDS} pids ready_output
  pids="$(IFS=','; printf '%s' "${LAUNCHED[*]:-}")"
  log "waiting up to ${KAFKA_START_TIMEOUT} s for ${bootstrap} to answer metadata requests"
  if ready_output="$(tool_java -cp "${CLASSES_DIR}:${LIBS_DIR}/*" BrokerReady \
    "${bootstrap}" "${KAFKA_START_TIMEOUT}" "${pids:--}" "${KAFKA_NODES}" "${what}" 2>&1)"; then
    log "${ready_output##*$'\n'} (after $((SECONDS - started)) s)"
    return 0
  fi
  warn "not ready: ${ready_output##*$'\n'}"
  return 1
}

# Stops what this invocation launched after a failed start, and shows its logs.
abandon_start() {
  local n pid
  for ((n = 1; n <= KAFKA_NODES; n++)); do
    select_node "${n}"
    pid="$(running_pid)" || continue
    [[ " ${LAUNCHED[*]} " == *" ${pid} "* ]] || continue
    warn "stopping the unready node ${NODE} (pid ${pid})"
    kill -TERM "${pid}" 2>/dev/null || true
    wait_exit "${pid}" 10 || kill -KILL "${pid}" 2>/dev/null || true
    rm -f "${PID_FILE}"
    show_log_tail
  done
  die "start failed"
}

cmd_start() {
  # Waits for a concurrent start/stop on the same data dir, so that "already
  # running" below also means "ready".
  lock_data_dir
  ensure_runtime
  prepare_data_dir
  lock_data_dir
  each_node launch_node
  if ((${#LAUNCHED[@]} == 0)); then
    log "already running, bootstrap ${BOOTSTRAP_ALL}; data ${ROOT_DIR}"
    return 0
  fi
  await_cluster "${BOOTSTRAP_ALL}" all || abandon_start
  log "running: bootstrap ${BOOTSTRAP_ALL}, data ${ROOT_DIR}"
}

# --- stop / kill / status / reset -------------------------------------------

# SIGTERMs the current node; sets STOPPING to its pid (empty when not running).
signal_stop() {
  STOPPING=""
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "${PID_FILE}"
    return 0
  fi
  log "stopping node ${NODE} (pid ${pid}): controlled shutdown, SIGKILL after ${KAFKA_STOP_TIMEOUT} s"
  kill -TERM "${pid}" 2>/dev/null || true
  STOPPING="${pid}"
}

# Waits for the current node's pid $1 to exit, SIGKILL after the stop timeout.
finish_stop() {
  local pid="$1" started=${SECONDS}
  if ! wait_exit "${pid}" "${KAFKA_STOP_TIMEOUT}"; then
    warn "node ${NODE} (pid ${pid}) still running after ${KAFKA_STOP_TIMEOUT} s: sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    wait_exit "${pid}" 10 || die "node ${NODE} (pid ${pid}) survived SIGKILL"
  fi
  rm -f "${PID_FILE}"
  log "node ${NODE} stopped (in $((SECONDS - started)) s); log: ${SERVER_LOG}"
}

cmd_stop() {
  lock_data_dir
  # All at once: a cluster stopped one node at a time loses its controller quorum
  # before the last nodes go, and their controlled shutdowns would wait for it.
  local -a pids=()
  local n any=0
  for ((n = 1; n <= KAFKA_NODES; n++)); do
    select_node "${n}"
    signal_stop
    pids+=("${STOPPING}")
    [[ -z "${STOPPING}" ]] || any=1
  done
  if ((any == 0)); then
    log "not running (${BOOTSTRAP_ALL})"
    return 0
  fi
  for ((n = 1; n <= KAFKA_NODES; n++)); do
    select_node "${n}"
    [[ -z "${pids[n - 1]}" ]] || finish_stop "${pids[n - 1]}"
  done
}

kill_node() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "${PID_FILE}"
    log "node ${NODE} not running"
    return 0
  fi
  kill -KILL "${pid}" 2>/dev/null || true
  wait_exit "${pid}" 10 || die "node ${NODE} (pid ${pid}) survived SIGKILL"
  rm -f "${PID_FILE}"
  log "killed node ${NODE} (pid ${pid}) with SIGKILL; data kept in ${NODE_DIR}"
}

cmd_kill() {
  lock_data_dir
  each_node kill_node
}

STATUS_RUNNING=0
node_status() {
  local pid version="${KAFKA_VERSION}"
  if pid="$(running_pid)"; then
    [[ -f "${NODE_DIR}/kafka.version" ]] && version="$(cat "${NODE_DIR}/kafka.version")"
    log "running: Kafka ${version}, node ${NODE}, pid ${pid}, bootstrap ${BOOTSTRAP}, data ${NODE_DIR}, log ${SERVER_LOG}"
    return 0
  fi
  log "stopped (node ${NODE}, bootstrap would be ${BOOTSTRAP}, data ${NODE_DIR})"
  STATUS_RUNNING=3
}

cmd_status() {
  each_node node_status
  return "${STATUS_RUNNING}"
}

cmd_reset() {
  cmd_stop
  if [[ ! -e "${ROOT_DIR}" ]]; then
    log "nothing to delete: ${ROOT_DIR} does not exist"
    return 0
  fi
  [[ -f "${DATA_MARKER}" ]] ||
    die "refusing to delete ${ROOT_DIR}: it was not created by kafka.sh (no $(basename "${DATA_MARKER}"))"
  rm -rf "${ROOT_DIR}"
  log "deleted ${ROOT_DIR}"
}

# --- one node of a cluster --------------------------------------------------

pick_node() {
  [[ "${1:-}" =~ ^[1-9]$ ]] && (($1 <= KAFKA_NODES)) ||
    die "name a node from 1 to ${KAFKA_NODES} (got '${1:-}')"
  select_node "$1"
}

cmd_stop_node() {
  lock_data_dir
  pick_node "$1"
  signal_stop
  if [[ -z "${STOPPING}" ]]; then
    log "node ${NODE} not running"
    return 0
  fi
  finish_stop "${STOPPING}"
}

# Starts node $1 and waits for $2: "all" brokers listed, or "in-sync" replicas too.
cmd_start_node() {
  lock_data_dir
  ensure_runtime
  [[ -f "${DATA_MARKER}" ]] || die "no cluster in ${ROOT_DIR}: run 'kafka.sh start' first"
  pick_node "$1"
  launch_node
  await_cluster "${BOOTSTRAP}" "$2" || abandon_start
}

main() {
  local command="${1:-help}"
  case "${command}" in
    fetch) cmd_fetch ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart)
      cmd_stop
      cmd_start
      ;;
    status) cmd_status ;;
    kill) cmd_kill ;;
    reset) cmd_reset ;;
    kill-node)
      lock_data_dir
      pick_node "${2:-}"
      kill_node
      ;;
    stop-node) cmd_stop_node "${2:-}" ;;
    start-node) cmd_start_node "${2:-}" all ;;
    restart-node)
      cmd_stop_node "${2:-}"
      cmd_start_node "${2:-}" in-sync
      ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
