# Shared by the submit scripts (sourced, not run): where things are, and the checks every script makes.
# shellcheck shell=bash

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

# The local application jar must exist; a remote one (scheme://) is the cluster's business.
require_local_jar() {
  if [[ "$APP_JAR" != *://* && ! -f "$APP_JAR" ]]; then
    fail "Cannot find the application jar $APP_JAR: build it with 'mvn -B -DskipTests package'"
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
