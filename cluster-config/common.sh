# Shared by the submit scripts (sourced, not run): where things are, and the checks every script makes.
# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are for the scripts that source this file.

CONFIG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$CONFIG_DIR/.." && pwd)"
# The application jar that mvn package writes; SUBTERRA_SPARK_JAR points elsewhere (a local path or a URL the
# cluster can read, such as hdfs://, s3a:// or, on Kubernetes, local:// inside the image).
APP_JAR="${SUBTERRA_SPARK_JAR:-$ROOT/jobs/target/subterra-spark.jar}"
MAIN_CLASS=dev.subterra.jobs.cli.SubterraCli
PROPERTIES_FILE="${SUBTERRA_SPARK_PROPERTIES:-$CONFIG_DIR/spark-defaults.conf}"
LOG4J_FILE="$CONFIG_DIR/log4j2.properties"

# Stops with exit code 2 and the script's usage after a one-line reason.
bad_usage() {
  echo "$(basename "$0"): $1" >&2
  usage >&2
  exit 2
}

# Stops with exit code 1 after a one-line reason.
fail() {
  echo "$(basename "$0"): $1" >&2
  exit 1
}

# The local application jar must exist and be as new as the classes (bin/subterra rebuilds without it); a remote
# one (scheme://) is the cluster's business.
require_local_jar() {
  [[ "$APP_JAR" == *://* ]] && return 0
  [[ -f "$APP_JAR" ]] || fail "Cannot find the application jar $APP_JAR: build it with 'mvn -B -DskipTests package'"
  local thin="$ROOT/jobs/target/subterra-jobs.jar"
  if [[ -z "${SUBTERRA_SPARK_JAR:-}" && -f "$thin" && "$thin" -nt "$APP_JAR" ]]; then
    fail "Cannot submit a stale $APP_JAR (older than $thin): rebuild it with 'mvn -B -DskipTests package'"
  fi
}

# spark-submit from SPARK_HOME, which a cluster submission needs (its launcher, and the cluster's own jars).
require_spark_home() {
  [[ -n "${SPARK_HOME:-}" ]] || fail "Cannot submit to a cluster: set SPARK_HOME to a Spark 3.5 (Scala 2.12) distribution"
  [[ -x "$SPARK_HOME/bin/spark-submit" ]] || fail "Cannot find $SPARK_HOME/bin/spark-submit: SPARK_HOME is not a Spark distribution"
}

# The value of a key in the properties file (spark-defaults.conf syntax: key, whitespace, value).
property() {
  awk -v key="$1" '$1 == key { sub(/^[^ \t]+[ \t]+/, ""); print; exit }' "$PROPERTIES_FILE"
}

# Stops with a usage error unless option $1 has a value $2 that matches the pattern $3 (described by $4).
check_value() {
  if (($# < 3)) || [[ ! "$2" =~ $3 ]]; then
    bad_usage "Invalid $1: ${2:-(missing)} (expected $4)"
  fi
}

# Options every cluster script takes, parsed into deploy_mode and spark_args; COMMAND ARGS are left in rest.
# A script handles options of its own in parse_extra_option, which sets extra_shift or returns 1.
deploy_mode=""
spark_args=()
rest=()
extra_shift=0
parse_extra_option() { return 1; }
parse_cluster_options() {
  while (($#)); do
    case "$1" in
      --deploy-mode)
        check_value "$1" "${2:-}" '^(client|cluster)$' "client or cluster"
        deploy_mode="$2"; shift 2 ;;
      --executors)
        check_value "$1" "${2:-}" '^[1-9][0-9]*$' "a positive number"
        spark_args+=(--conf "spark.executor.instances=$2"); shift 2 ;;
      --executor-cores)
        check_value "$1" "${2:-}" '^[1-9][0-9]*$' "a positive number"
        spark_args+=(--executor-cores "$2"); shift 2 ;;
      --executor-memory)
        check_value "$1" "${2:-}" '^[1-9][0-9]*[kmgt]$' "a size such as 6g"
        spark_args+=(--executor-memory "$2"); shift 2 ;;
      --conf)
        check_value "$1" "${2:-}" '^[^=]+=' "KEY=VALUE"
        spark_args+=(--conf "$2"); shift 2 ;;
      -h|--help) usage; exit 0 ;;
      --) shift; break ;;
      -*)
        parse_extra_option "$@" || bad_usage "Unknown option: $1"
        shift "$extra_shift" ;;
      *) break ;;
    esac
  done
  (($#)) || bad_usage "Missing the Subterra command (compile, paths, synthesize, train, evaluate, ...)"
  rest=("$@")
}

# Ships log4j2.properties with the job and points the driver ($1: client or cluster) and the executors at it.
add_log4j() {
  local driver_file="$LOG4J_FILE"
  [[ "$1" == cluster ]] && driver_file=log4j2.properties
  spark_args+=(--files "$LOG4J_FILE"
    --conf "spark.driver.extraJavaOptions=-Dlog4j.configurationFile=$driver_file"
    --conf "spark.executor.extraJavaOptions=-Dlog4j.configurationFile=log4j2.properties")
}

# Runs spark-submit with the master and deploy mode given, everything gathered, the jar and the Subterra command.
submit() {
  require_spark_home
  require_local_jar
  local command=("$SPARK_HOME/bin/spark-submit" "$@" --properties-file "$PROPERTIES_FILE"
    --name "subterra ${rest[0]}" ${spark_args[@]+"${spark_args[@]}"} --class "$MAIN_CLASS" "$APP_JAR" "${rest[@]}")
  echo "$(basename "$0"): ${command[*]}" >&2
  exec "${command[@]}"
}
