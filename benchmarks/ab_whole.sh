#!/usr/bin/env bash
# Paired, interleaved A/B of two deepanat jars on the whole-volume-size forward pass (160³, f=48; predict pads HCP
# 145×174×145 to 160×176×160) (issue 13, forward part): benchmarks/ab_forward.sh with AB_KIND=whole.
#   benchmarks/ab_whole.sh A.jar B.jar [rounds] [extra profile args...]
AB_KIND=whole exec "$(dirname "${BASH_SOURCE[0]}")/ab_forward.sh" "$@"
