#!/usr/bin/env bash
# Build the image and prove it works as configured: a non-default server.port set only in the
# mounted chokepoint.yaml, and the container reports healthy. Needs a running Docker engine;
# tests/test_packaging.py runs this where `docker info` answers and skips it elsewhere.
#   scripts/docker-smoke.sh [TAG]
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-chokepoint:smoke}
port=38123
work=$(mktemp -d)
name="chokepoint-smoke-$$"
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

docker build --quiet -t "$tag" . >/dev/null
echo "built $tag: $(docker image inspect "$tag" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"

# The image's own starter configuration passes check as built.
docker run --rm "$tag" chokepoint check >/dev/null

# A configuration whose only port setting is server.port in the YAML.
docker run --rm -v "$work:/out" "$tag" sh -c 'cp /etc/chokepoint/chokepoint.yaml /out/ && cp -r /etc/chokepoint/data /etc/chokepoint/rules /out/'
sed -i "s/^  port: 3000 .*/  port: $port/" "$work/chokepoint.yaml"
grep -q "port: $port" "$work/chokepoint.yaml"
docker run -d --name "$name" --health-interval=2s --health-start-period=5s \
  -v "$work:/etc/chokepoint:ro" "$tag" >/dev/null
for _ in $(seq 1 60); do
  status=$(docker inspect --format '{{.State.Health.Status}}' "$name")
  [ "$status" = healthy ] && { echo "healthy on port $port (set only in the YAML)"; exit 0; }
  sleep 1
done
echo "not healthy after 60 s (status: $status)" >&2
docker logs "$name" >&2 || true
exit 1
