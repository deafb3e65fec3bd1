#!/usr/bin/env bash
# The GPU check rehearsed where there is no GPU: a fresh Python 3.12 virtual
# environment holding what the GPU machine comes with (NumPy, SciPy, pytest and
# hypothesis, installed here from the package index as that machine has them; no
# CuPy, JAX, autograd or Dask), then tests/gpu_check.sh in it with the network cut
# off (`unshare -rn`, where the kernel allows it), so that every install step is
# proved to need nothing but the wheel folder. The GPU tests and the benchmark
# skip without CuPy, what needs autograd or Dask skips, the rest of the suite runs.
#
#     bash tests/gpu_rehearsal.sh WHEELS OUTDIR
#
# WHEELS is filled first if it holds no gast wheel (the download needs the network).
# PYTHON312 names the interpreter; else pyenv's newest 3.12, else python3.12 on PATH.
set -eu
if [ $# -ne 2 ]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
wheels=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)

python=${PYTHON312:-}
if [ -z "$python" ] && command -v pyenv >/dev/null; then
    python=$(ls -d "$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null | sort -V | tail -1)
fi
python=${python:-$(command -v python3.12 || true)}
[ -x "$python" ] || { echo "no Python 3.12 found: set PYTHON312"; exit 2; }

mkdir -p "$wheels"
if ! ls "$wheels"/gast-*.whl >/dev/null 2>&1; then
    # the recipe of benchmarks/README.md ("The GPU check")
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux2014_x86_64 -d "$wheels" \
        gast==0.7.0 astor==0.8.1 setuptools==84.2.1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
venv=$scratch/venv
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q numpy scipy pytest hypothesis

offline=()
if unshare -rn true 2>/dev/null; then
    offline=(unshare -rn)
else
    echo "(unshare -rn is not allowed here: the check runs with the network, pip with --no-index)"
fi
PYTHON=$venv/bin/python BUDGET=${BUDGET:-900} "${offline[@]}" \
    bash "$here/tests/gpu_check.sh" "$wheels" "$out"
