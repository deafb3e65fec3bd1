#!/usr/bin/env bash
# The device check: GPU tests, then the GPU benchmark. Run on a machine with CuPy and a GPU.
set -u
pip install -q -e ".[test]" 2>&1 | tail -1
python -m pytest -q -m gpu tests 2>&1 | tail -5
python benchmarks/gpu.py --repeat 10
