#!/usr/bin/env bash
# Spark's GPU discovery script (spark.{driver,executor}.resource.gpu.discoveryScript): prints the GPUs this
# container or host can use, as the JSON Spark expects, e.g. {"name": "gpu", "addresses": ["0", "1"]}.
# It asks nvidia-smi, which shows only the devices the container runtime (or CUDA_VISIBLE_DEVICES) exposes.
set -euo pipefail

if (($#)); then
  echo "Usage: cluster-config/gpu-discovery.sh (no arguments; Spark runs it on each executor and driver)" >&2
  exit 2
fi
command -v nvidia-smi >/dev/null || { echo "gpu-discovery: Cannot find GPUs: nvidia-smi is not on the PATH" >&2; exit 1; }
indexes="$(nvidia-smi --query-gpu=index --format=csv,noheader)" ||
  { echo "gpu-discovery: Cannot find GPUs: nvidia-smi failed" >&2; exit 1; }

addresses=()
while read -r index; do
  [[ -z "$index" ]] && continue
  [[ "$index" =~ ^[0-9]+$ ]] || { echo "gpu-discovery: Invalid GPU index from nvidia-smi: $index" >&2; exit 1; }
  addresses+=("\"$index\"")
done <<<"$indexes"
((${#addresses[@]})) || { echo "gpu-discovery: Cannot find GPUs: nvidia-smi lists none" >&2; exit 1; }

joined="$(IFS=,; echo "${addresses[*]}")"
echo "{\"name\": \"gpu\", \"addresses\": [${joined//,/, }]}"
