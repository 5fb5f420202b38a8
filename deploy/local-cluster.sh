#!/usr/bin/env bash
# A real multi-process cluster on this machine, for users without Docker or Kubernetes: Kafka (KRaft,
# 3 brokers) and a Flink standalone session cluster (a JobManager and TaskManagers, each its own JVM),
# all on 127.0.0.1, until Ctrl-C. It prints the --bootstrap and --jobmanager to give `streamnet submit`.
# Options: --brokers N --partitions N --taskmanagers N --slots N --home DIR (see ./streamnet cluster --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/streamnet" cluster "$@"
