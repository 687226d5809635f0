#!/usr/bin/env bash
# Local single-node Apache Kafka broker (KRaft, broker+controller in one JVM)
# for Switchboard development and tests, without Docker.
#
#   deploy/kafka/kafka.sh fetch|start|stop|restart|status|kill|reset|help
#
# Jars come from Maven Central (deploy/kafka/pom.xml) into <repo>/.cache/kafka/,
# broker data, config, pid and logs live in <repo>/.data/kafka-<port>/.
# Run "kafka.sh help" or see deploy/kafka/README.md for the environment variables.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-4.2.2}"
KAFKA_HOST="127.0.0.1"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-${REPO_ROOT}/.data/kafka-${KAFKA_PORT}}"
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

BOOTSTRAP="${KAFKA_HOST}:${KAFKA_PORT}"

log() { printf 'kafka.sh[%s]: %s\n' "${KAFKA_PORT}" "$*"; }
warn() { printf 'kafka.sh[%s]: %s\n' "${KAFKA_PORT}" "$*" >&2; }
die() {
  warn "error: $*"
  exit 1
}

usage() {
  cat <<EOF
usage: $(basename "$0") <command>

Local single-node Apache Kafka ${KAFKA_VERSION} broker (KRaft) without Docker.

commands:
  fetch     download the Kafka jars from Maven Central into the cache (once)
  start     fetch if needed, format storage once, start in the background and
            wait until the broker answers metadata requests (no-op if running)
  stop      SIGTERM (controlled shutdown), SIGKILL after \$KAFKA_STOP_TIMEOUT s
  restart   stop, then start
  status    print whether the broker runs; exit 0 if running, 3 if stopped
  kill      SIGKILL the broker (hard crash, for chaos tests); data is kept
  reset     stop and delete the data directory
  help      this text

environment (current value):
  KAFKA_VERSION          ${KAFKA_VERSION}
  KAFKA_PORT             ${KAFKA_PORT}  (PLAINTEXT listener on ${KAFKA_HOST})
  KAFKA_CONTROLLER_PORT  ${KAFKA_CONTROLLER_PORT}  (KRaft CONTROLLER listener)
  KAFKA_DATA_DIR         ${KAFKA_DATA_DIR}
  KAFKA_CACHE_DIR        ${KAFKA_CACHE_DIR}
  KAFKA_HEAP             ${KAFKA_HEAP}
  KAFKA_JVM_OPTS         extra JVM options for the broker
  KAFKA_EXTRA_CONFIG     extra server.properties lines (newline separated, win over defaults)
  KAFKA_START_TIMEOUT    ${KAFKA_START_TIMEOUT}  (seconds to wait for readiness)
  KAFKA_STOP_TIMEOUT     ${KAFKA_STOP_TIMEOUT}  (seconds before SIGKILL)
  JAVA_HOME              JDK to use (>= 17), else java/javac from PATH
EOF
}

# --- validation and derived paths ------------------------------------------

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (($1 > 0 && $1 < 65536)); }
is_port "${KAFKA_PORT}" || die "KAFKA_PORT='${KAFKA_PORT}' is not a TCP port"
is_port "${KAFKA_CONTROLLER_PORT}" || die "KAFKA_CONTROLLER_PORT='${KAFKA_CONTROLLER_PORT}' is not a TCP port"
[[ "${KAFKA_PORT}" != "${KAFKA_CONTROLLER_PORT}" ]] ||
  die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both ${KAFKA_PORT})"
[[ "${KAFKA_VERSION}" =~ ^[0-9A-Za-z.-]+$ ]] || die "KAFKA_VERSION='${KAFKA_VERSION}' is not a version"
[[ -n "${KAFKA_DATA_DIR}" ]] || die "KAFKA_DATA_DIR is empty"
case "${KAFKA_DATA_DIR}" in
  /*) ;;
  *) KAFKA_DATA_DIR="${PWD}/${KAFKA_DATA_DIR}" ;;
esac
KAFKA_DATA_DIR="${KAFKA_DATA_DIR%/}"

CONFIG="${KAFKA_DATA_DIR}/server.properties"
KRAFT_DIR="${KAFKA_DATA_DIR}/kraft"
PID_FILE="${KAFKA_DATA_DIR}/kafka.pid"
SERVER_LOG="${KAFKA_DATA_DIR}/server.log"
CONSOLE_LOG="${KAFKA_DATA_DIR}/kafka.out"
DATA_MARKER="${KAFKA_DATA_DIR}/.kafka-sh-data-dir"

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

# Prints the broker pid and succeeds if the broker of this data dir is running.
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

# --- start ------------------------------------------------------------------

prepare_data_dir() {
  if [[ -d "${KAFKA_DATA_DIR}" && ! -f "${DATA_MARKER}" ]] &&
    [[ -n "$(ls -A "${KAFKA_DATA_DIR}" 2>/dev/null)" ]]; then
    die "refusing to use ${KAFKA_DATA_DIR}: not empty and not created by kafka.sh"
  fi
  mkdir -p "${KAFKA_DATA_DIR}"
  [[ -f "${DATA_MARKER}" ]] || echo "Data directory of deploy/kafka/kafka.sh; 'kafka.sh reset' deletes it." >"${DATA_MARKER}"
}

# Takes the data dir lock (once per invocation) if the data dir is ours.
DATA_DIR_LOCKED=0
lock_data_dir() {
  if ((DATA_DIR_LOCKED == 0)) && [[ -f "${DATA_MARKER}" ]]; then
    take_lock 9 "${KAFKA_DATA_DIR}/.lock" $((KAFKA_START_TIMEOUT + KAFKA_STOP_TIMEOUT + 60))
    DATA_DIR_LOCKED=1
  fi
}

write_config() {
  local tmp="${CONFIG}.tmp"
  cat >"${tmp}" <<EOF
# Generated by deploy/kafka/kafka.sh on every start: edits are overwritten.
# Use KAFKA_EXTRA_CONFIG for extra settings.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${KAFKA_HOST}:${KAFKA_CONTROLLER_PORT}
listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT},CONTROLLER://${KAFKA_HOST}:${KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${KRAFT_DIR}

num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
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

tool_java() {
  "${JAVA}" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="${SCRIPT_DIR}/log4j2-tools.xml" "$@"
}

format_storage() {
  if [[ -f "${KRAFT_DIR}/meta.properties" ]]; then
    return 0
  fi
  local cluster_id output
  cluster_id="$(new_cluster_id)"
  log "formatting KRaft storage in ${KRAFT_DIR} (cluster id ${cluster_id})"
  if ! output="$(tool_java -cp "${LIBS_DIR}/*" kafka.tools.StorageTool format \
    --config "${CONFIG}" --cluster-id "${cluster_id}" --ignore-formatted 2>&1)"; then
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
    -Dkafka.logs.dir="${KAFKA_DATA_DIR}" \
    "${extra[@]}" \
    -cp "${LIBS_DIR}/*" kafka.Kafka "${CONFIG}" \
    </dev/null >>"${CONSOLE_LOG}" 2>&1 8>&- 9>&- &
  BROKER_PID=$!
  printf '%s\n' "${BROKER_PID}" >"${PID_FILE}"
  printf '%s\n' "${KAFKA_VERSION}" >"${KAFKA_DATA_DIR}/kafka.version"
}

# A broker cannot read metadata written by a newer one (its metadata.version is
# unknown there): say so, instead of a broker that dies while starting.
refuse_newer_data() {
  local written newest
  [[ -f "${KAFKA_DATA_DIR}/kafka.version" ]] || return 0
  written="$(cat "${KAFKA_DATA_DIR}/kafka.version")"
  [[ "${written}" != "${KAFKA_VERSION}" ]] || return 0
  newest="$(printf '%s\n%s\n' "${written}" "${KAFKA_VERSION}" | sort -V | tail -n 1)"
  if [[ "${newest}" == "${written}" ]]; then
    die "${KAFKA_DATA_DIR} was written by Kafka ${written}, newer than ${KAFKA_VERSION}:" \
      "run 'kafka.sh reset' to start afresh (deletes its data) or set KAFKA_VERSION=${written}"
  fi
}

cmd_start() {
  local pid port
  # Waits for a concurrent start/stop on the same data dir, so that "already
  # running" below also means "ready".
  lock_data_dir
  if pid="$(running_pid)"; then
    log "already running (pid ${pid}), bootstrap ${BOOTSTRAP}; log: ${SERVER_LOG}"
    return 0
  fi
  ensure_runtime
  for port in "${KAFKA_PORT}" "${KAFKA_CONTROLLER_PORT}"; do
    if port_in_use "${port}"; then
      die "port ${port} on ${KAFKA_HOST} is already in use (another broker? set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
    fi
  done
  prepare_data_dir
  lock_data_dir
  refuse_newer_data
  rm -f "${PID_FILE}"
  write_config
  format_storage

  local started=${SECONDS}
  launch_broker
  log "started Kafka ${KAFKA_VERSION} (pid ${BROKER_PID}); broker log: ${SERVER_LOG}"
  log "waiting up to ${KAFKA_START_TIMEOUT} s for ${BOOTSTRAP} to answer metadata requests"
  local ready_output
  if ready_output="$(tool_java -cp "${CLASSES_DIR}:${LIBS_DIR}/*" BrokerReady \
    "${BOOTSTRAP}" "${KAFKA_START_TIMEOUT}" "${BROKER_PID}" 2>&1)"; then
    log "${ready_output##*$'\n'} (after $((SECONDS - started)) s)"
    log "running: bootstrap ${BOOTSTRAP}, pid ${BROKER_PID}, data ${KAFKA_DATA_DIR}"
    return 0
  fi
  warn "broker did not become ready: ${ready_output##*$'\n'}"
  if pid_alive "${BROKER_PID}"; then
    warn "stopping the unready broker (pid ${BROKER_PID})"
    kill -TERM "${BROKER_PID}" 2>/dev/null || true
    wait_exit "${BROKER_PID}" 10 || kill -KILL "${BROKER_PID}" 2>/dev/null || true
  fi
  wait "${BROKER_PID}" 2>/dev/null || true
  rm -f "${PID_FILE}"
  show_log_tail
  die "start failed"
}

# --- stop / kill / status / reset -------------------------------------------


cmd_stop() {
  lock_data_dir
  local pid started=${SECONDS}
  if ! pid="$(running_pid)"; then
    rm -f "${PID_FILE}"
    log "not running (${BOOTSTRAP})"
    return 0
  fi
  log "stopping broker (pid ${pid}): controlled shutdown, SIGKILL after ${KAFKA_STOP_TIMEOUT} s"
  kill -TERM "${pid}" 2>/dev/null || true
  if ! wait_exit "${pid}" "${KAFKA_STOP_TIMEOUT}"; then
    warn "broker (pid ${pid}) still running after ${KAFKA_STOP_TIMEOUT} s: sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    wait_exit "${pid}" 10 || die "broker (pid ${pid}) survived SIGKILL"
  fi
  rm -f "${PID_FILE}"
  log "stopped (in $((SECONDS - started)) s); log: ${SERVER_LOG}"
}

cmd_kill() {
  lock_data_dir
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "${PID_FILE}"
    log "not running (${BOOTSTRAP})"
    return 0
  fi
  kill -KILL "${pid}" 2>/dev/null || true
  wait_exit "${pid}" 10 || die "broker (pid ${pid}) survived SIGKILL"
  rm -f "${PID_FILE}"
  log "killed broker (pid ${pid}) with SIGKILL; data kept in ${KAFKA_DATA_DIR}"
}

cmd_status() {
  local pid version="${KAFKA_VERSION}"
  if pid="$(running_pid)"; then
    [[ -f "${KAFKA_DATA_DIR}/kafka.version" ]] && version="$(cat "${KAFKA_DATA_DIR}/kafka.version")"
    log "running: Kafka ${version}, pid ${pid}, bootstrap ${BOOTSTRAP}, data ${KAFKA_DATA_DIR}, log ${SERVER_LOG}"
    return 0
  fi
  log "stopped (bootstrap would be ${BOOTSTRAP}, data ${KAFKA_DATA_DIR})"
  return 3
}

cmd_reset() {
  cmd_stop
  if [[ ! -e "${KAFKA_DATA_DIR}" ]]; then
    log "nothing to delete: ${KAFKA_DATA_DIR} does not exist"
    return 0
  fi
  [[ -f "${DATA_MARKER}" ]] ||
    die "refusing to delete ${KAFKA_DATA_DIR}: it was not created by kafka.sh (no $(basename "${DATA_MARKER}"))"
  rm -rf "${KAFKA_DATA_DIR}"
  log "deleted ${KAFKA_DATA_DIR}"
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
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
