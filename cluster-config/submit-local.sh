#!/usr/bin/env bash
# Submits a Subterra command to Spark in local mode, through spark-submit of the application jar, exactly as a
# cluster would run it but on this machine. With SPARK_HOME set it runs that distribution's bin/spark-submit;
# without, it runs spark-submit's own class (org.apache.spark.deploy.SparkSubmit) on the Spark jars of the Maven
# build (jobs/target/spark-classpath.txt), so no Spark download is needed.
set -euo pipefail
# shellcheck source=cluster-config/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<EOF
Usage: cluster-config/submit-local.sh [--master local[N]] [--conf KEY=VALUE]... COMMAND [ARGS...]

Runs 'subterra COMMAND ARGS...' through spark-submit of $APP_JAR.
  --master local[N]   Spark's local master (default: local[2])
  --conf KEY=VALUE    a Spark property, over cluster-config/spark-defaults.conf (repeatable)
Example:
  cluster-config/submit-local.sh compile workflows/travel-booking.yaml --out runs/travel --preset tiny
Environment: SPARK_HOME (use its bin/spark-submit), SUBTERRA_SPARK_JAR (another application jar),
  SUBTERRA_DRIVER_MEMORY (the driver's heap, default 6g).
EOF
}

master="local[2]"
confs=()
while (($#)); do
  case "$1" in
    --master)
      (($# >= 2)) || bad_usage "--master needs a value"
      [[ "$2" == local* ]] || bad_usage "Invalid master for a local submission: $2 (use local[N]; the other scripts submit to clusters)"
      master="$2"; shift 2 ;;
    --conf)
      (($# >= 2)) || bad_usage "--conf needs KEY=VALUE"
      [[ "$2" == *=* ]] || bad_usage "Invalid --conf: $2 (expected KEY=VALUE)"
      confs+=(--conf "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) bad_usage "Unknown option: $1" ;;
    *) break ;;
  esac
done
(($#)) || bad_usage "Missing the Subterra command (compile, paths, synthesize, train, evaluate, ...)"
require_local_jar

memory="${SUBTERRA_DRIVER_MEMORY:-6g}"
submit_args=(--master "$master" --properties-file "$PROPERTIES_FILE" --name "subterra $1" ${confs[@]+"${confs[@]}"}
  --class "$MAIN_CLASS" "$APP_JAR" "$@")

if [[ -n "${SPARK_HOME:-}" ]]; then
  require_spark_home
  exec "$SPARK_HOME/bin/spark-submit" --driver-memory "$memory" \
    --conf "spark.driver.extraJavaOptions=-Dlog4j.configurationFile=$LOG4J_FILE" "${submit_args[@]}"
fi

# In local mode the driver is this JVM, so its options come from here rather than from spark.driver.*: the same
# default options that spark-defaults.conf gives a cluster's driver.
spark_classpath="$ROOT/jobs/target/spark-classpath.txt"
[[ -f "$spark_classpath" ]] || fail "Cannot find $spark_classpath (the Spark jars): build with 'mvn -B -DskipTests package', or set SPARK_HOME"
command -v java >/dev/null || fail "Cannot find java: install a JDK 17"
read -r -a driver_options <<<"$(property spark.driver.defaultJavaOptions)"
exec java "-Xmx$memory" ${driver_options[@]+"${driver_options[@]}"} "-Dlog4j.configurationFile=$LOG4J_FILE" \
  -cp "$(cat "$spark_classpath")" org.apache.spark.deploy.SparkSubmit "${submit_args[@]}"
