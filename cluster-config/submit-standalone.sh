#!/usr/bin/env bash
# Submits a Subterra command to a Spark standalone cluster (spark://HOST:7077) with SPARK_HOME's spark-submit.
set -euo pipefail
# shellcheck source=cluster-config/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<EOF2
Usage: cluster-config/submit-standalone.sh --master spark://HOST:PORT [OPTIONS] COMMAND [ARGS...]

Runs 'subterra COMMAND ARGS...' on a Spark standalone cluster through \$SPARK_HOME/bin/spark-submit.
  --master spark://HOST:PORT   the standalone master (required)
  --deploy-mode client|cluster where the driver runs (default: client; training runs on the driver)
  --executors N                executors (spark.executor.instances)
  --executor-cores N           cores per executor
  --executor-memory SIZE       heap per executor (default from spark-defaults.conf: 6g)
  --conf KEY=VALUE             a Spark property, over cluster-config/spark-defaults.conf (repeatable)
The run directory (--out) must be on storage every node sees: hdfs://, s3a:// or a shared mount.
Example:
  cluster-config/submit-standalone.sh --master spark://head:7077 --executors 4 \\
    compile workflows/travel-booking.yaml --out hdfs:///subterra/runs/travel
Environment: SPARK_HOME (required), SUBTERRA_SPARK_JAR (the application jar, default $APP_JAR).
EOF2
}

master=""
parse_extra_option() {
  [[ "$1" == --master ]] || return 1
  check_value "$1" "${2:-}" '^spark://' "spark://HOST:PORT"
  master="$2"
  extra_shift=2
}
parse_cluster_options "$@"
[[ -n "$master" ]] || bad_usage "Missing --master spark://HOST:PORT"
mode="${deploy_mode:-client}"
add_log4j "$mode"
submit --master "$master" --deploy-mode "$mode"
