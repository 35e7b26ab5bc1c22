#!/usr/bin/env bash
# Fashion-MNIST without a download: Debian ships it as the dataset-fashion-mnist package,
# which ffbp reads from /usr/share/datasets/fashion-mnist. Elsewhere torchvision downloads it.
set -euo pipefail
system_dir=/usr/share/datasets/fashion-mnist
if [ -f "$system_dir/train-images-idx3-ubyte.gz" ]; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null
    echo "installed dataset-fashion-mnist into $system_dir"
    exit 0
fi
echo "note: $system_dir is missing and apt-get is not usable here;" \
     "train.py will look in data.root, then try torchvision's download" >&2
