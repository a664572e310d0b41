#!/usr/bin/env bash
# A quiet night at scale: a synthetic catalogue of MODELS models (default
# 1000, i.e. 499,500 comparison records) exported through the real export on
# three nights — the first; one on which every value was seen again and none
# changed (every fact's retrieved_at moves a day); one on which one price
# changed — counting the files each later night rewrote (new inode or
# modification time; the rest are hard links to the previous generation).
# BenchmarkQuietNight run by bench/compare.sh; needs about 10 GB of free disk
# for 1000 models.
#
#   bench/quiet.sh            # 1000 models
#   MODELS=200 bench/quiet.sh
BENCH=QuietNight exec "$(dirname "$0")/compare.sh"
