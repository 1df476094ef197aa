#!/usr/bin/env bash
# Submits a Subterra command to Kubernetes with SPARK_HOME's spark-submit, in an image that carries the application
# jar and this directory (see Dockerfile), optionally with GPUs through Spark's resource scheduling.
set -euo pipefail
# shellcheck source=cluster-config/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<EOF2
Usage: cluster-config/submit-k8s.sh --master k8s://https://HOST:PORT --image IMAGE [OPTIONS] COMMAND [ARGS...]

Runs 'subterra COMMAND ARGS...' on Kubernetes through \$SPARK_HOME/bin/spark-submit, driver in a pod by default.
  --master k8s://https://HOST:PORT  the API server (default: \$SUBTERRA_K8S_MASTER)
  --image IMAGE                the Subterra image built from cluster-config/Dockerfile (default: \$SUBTERRA_IMAGE)
  --namespace NS               the namespace (default: default)
  --service-account NAME       the driver's service account, allowed to create executor pods (default: spark)
  --gpus N                     N GPUs per executor and one for the driver, which trains (needs a jar built with
                               mvn -Pcuda and the NVIDIA device plugin); tasks take one GPU each. Use 1: ND4J
                               computes on the first device a JVM sees, so more per executor sit idle
  --deploy-mode client|cluster where the driver runs (default: cluster)
  --executors N / --executor-cores N / --executor-memory SIZE / --conf KEY=VALUE   as for the other scripts
The run directory (--out) must be on storage every pod sees: s3a://, hdfs:// or a mounted volume.
Example:
  cluster-config/submit-k8s.sh --master k8s://https://k8s.example:6443 --image registry/subterra:0.1.0 --gpus 1 \\
    compile workflows/travel-booking.yaml --out s3a://subterra/runs/travel --preset base
Environment: SPARK_HOME (required), SUBTERRA_K8S_MASTER, SUBTERRA_IMAGE, SUBTERRA_SPARK_JAR (default
  local:///opt/subterra/subterra-spark.jar, the jar inside the image).
EOF2
}

# Inside the image (see Dockerfile): the jar and cluster-config/.
IMAGE_HOME=/opt/subterra
APP_JAR="${SUBTERRA_SPARK_JAR:-local://$IMAGE_HOME/subterra-spark.jar}"
master="${SUBTERRA_K8S_MASTER:-}"
image="${SUBTERRA_IMAGE:-}"
namespace=default
service_account=spark
gpus=0
parse_extra_option() {
  case "$1" in
    --master) check_value "$1" "${2:-}" '^k8s://' "k8s://https://HOST:PORT"; master="$2" ;;
    --image) check_value "$1" "${2:-}" '^[^[:space:]]+$' "an image name"; image="$2" ;;
    --namespace) check_value "$1" "${2:-}" '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' "a namespace name"; namespace="$2" ;;
    --service-account) check_value "$1" "${2:-}" '^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$' "a service account name"; service_account="$2" ;;
    --gpus) check_value "$1" "${2:-}" '^[0-9]+$' "a number of GPUs"; gpus="$2" ;;
    *) return 1 ;;
  esac
  extra_shift=2
}
parse_cluster_options "$@"
[[ -n "$master" ]] || bad_usage "Missing --master k8s://https://HOST:PORT (or SUBTERRA_K8S_MASTER)"
[[ -n "$image" ]] || bad_usage "Missing --image (or SUBTERRA_IMAGE): build one with cluster-config/Dockerfile"
mode="${deploy_mode:-cluster}"

# The image carries log4j2.properties, so nothing needs shipping.
spark_args+=(
  --conf "spark.kubernetes.container.image=$image"
  --conf "spark.kubernetes.namespace=$namespace"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=$service_account"
  --conf "spark.driver.extraJavaOptions=-Dlog4j.configurationFile=$IMAGE_HOME/cluster-config/log4j2.properties"
  --conf "spark.executor.extraJavaOptions=-Dlog4j.configurationFile=$IMAGE_HOME/cluster-config/log4j2.properties"
)
if ((gpus > 0)); then
  # The CUDA build carries libnd4jcuda's cuDNN build instead of the oneDNN one: same options, other extension.
  for side in driver executor; do
    spark_args+=(--conf "spark.$side.defaultJavaOptions=$(property "spark.$side.defaultJavaOptions" | sed 's/extension=-onednn/extension=-cudnn/')")
  done
  spark_args+=(
    --conf "spark.executor.resource.gpu.amount=$gpus"
    --conf "spark.executor.resource.gpu.vendor=nvidia.com"
    --conf "spark.executor.resource.gpu.discoveryScript=$IMAGE_HOME/cluster-config/gpu-discovery.sh"
    --conf "spark.task.resource.gpu.amount=1"
    --conf "spark.driver.resource.gpu.amount=1"
    --conf "spark.driver.resource.gpu.vendor=nvidia.com"
    --conf "spark.driver.resource.gpu.discoveryScript=$IMAGE_HOME/cluster-config/gpu-discovery.sh"
  )
  # ND4J computes on the first device it sees, which in a pod is one of its own GPUs: nothing to pin here.
fi
submit --master "$master" --deploy-mode "$mode"
