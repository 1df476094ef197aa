#!/usr/bin/env bash
# Submits a Subterra command to YARN with SPARK_HOME's spark-submit (HADOOP_CONF_DIR or YARN_CONF_DIR names the
# cluster).
set -euo pipefail
# shellcheck source=cluster-config/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<EOF2
Usage: cluster-config/submit-yarn.sh [OPTIONS] COMMAND [ARGS...]

Runs 'subterra COMMAND ARGS...' on YARN through \$SPARK_HOME/bin/spark-submit --master yarn.
  --deploy-mode client|cluster where the driver runs (default: cluster, in an application master container)
  --queue NAME                 the YARN queue
  --executors N                executors (spark.executor.instances)
  --executor-cores N           cores per executor
  --executor-memory SIZE       heap per executor (default from spark-defaults.conf: 6g, plus 8g overhead)
  --conf KEY=VALUE             a Spark property, over cluster-config/spark-defaults.conf (repeatable)
The run directory (--out) must be on storage every node sees, typically hdfs://.
Example:
  cluster-config/submit-yarn.sh --queue nightly --executors 8 \\
    compile workflows/insurance-claims.yaml --out hdfs:///subterra/runs/insurance-claims --preset small
Environment: SPARK_HOME (required), HADOOP_CONF_DIR or YARN_CONF_DIR (required), SUBTERRA_SPARK_JAR.
EOF2
}

queue=()
parse_extra_option() {
  [[ "$1" == --queue ]] || return 1
  check_value "$1" "${2:-}" '^[A-Za-z0-9_.-]+$' "a queue name"
  queue=(--queue "$2")
  extra_shift=2
}
parse_cluster_options "$@"
[[ -n "${HADOOP_CONF_DIR:-}${YARN_CONF_DIR:-}" ]] || fail "Cannot submit to YARN: set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the cluster's configuration"
mode="${deploy_mode:-cluster}"
add_log4j "$mode"
submit --master yarn --deploy-mode "$mode" ${queue[@]+"${queue[@]}"}
