#!/usr/bin/env bash
# The GPU check, offline, in one run: install the project and its two dependencies
# from a folder of wheels, then the GPU tests, the GPU benchmark and the rest of the
# test suite, each under a time limit, so that it always finishes (in under 8
# minutes) and always writes its results.
#
#     bash tests/gpu_check.sh WHEELS OUTDIR
#
# WHEELS: gast, astor and setuptools wheels for the machine's Python (filled where
#   there is a network: benchmarks/README.md, "The GPU check"). Nothing else is
#   installed, and pip reads no index and no configuration: only this folder.
# OUTDIR: the results go to OUTDIR/gpu_check.md (test summaries, benchmark table),
#   the full logs beside it.
# PYTHON: the interpreter to install into and run (default python3), which must
#   have NumPy and pytest; CuPy, JAX, SciPy, hypothesis, autograd and Dask are
#   used where present, and what needs them is skipped where not.
# BUDGET: seconds for the whole run (default 420).
set -u
if [ $# -ne 2 ]; then
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
wheels=$(cd "$1" && pwd) || exit 2
mkdir -p "$2" && out=$(cd "$2" && pwd) || exit 2
cd "$(dirname "$0")/.." || exit 2
python=${PYTHON:-python3}
budget=${BUDGET:-420}
results=$out/gpu_check.md
start=$SECONDS
status=0

# pip: the wheel folder only; JAX: no preallocation, so it shares the GPU with CuPy
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_REQUIRE_VIRTUALENV
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
export XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1

note() { echo "$*" | tee -a "$results"; }
left() { echo $((budget - (SECONDS - start))); }

# step NAME LIMIT LOG CMD...: run CMD (shown first) for at most LIMIT seconds,
# its output in OUTDIR/LOG; a failure or a timeout is noted and the run goes on.
step() {
    local name=$1 limit=$2 log=$3 rc
    shift 3
    if [ "$limit" -lt 20 ]; then
        note "- $name: not run, no time left"
        status=1
        return 1
    fi
    echo "\$ $(printf '%q ' "$@")" | tee -a "$results" "$out/$log"
    timeout -k 10 "$limit" "$@" >>"$out/$log" 2>&1
    rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        note "- $name: TIMED OUT after $limit s (log: $log)"
    elif [ $rc -ne 0 ]; then
        note "- $name: exit status $rc (log: $log)"
    else
        note "- $name: ok"
    fi
    [ $rc -eq 0 ] || status=1
    return $rc
}

summary() {  # the closing lines of a pytest log: counts, failures, skips' reasons
    { grep -E '^(FAILED|ERROR) ' "$1" | head -40
      grep -E '^SKIPPED ' "$1" | head -15
      grep -E '^=* ?([0-9]+ [a-z]+.* in [0-9.]+s|no tests ran)' "$1" | tail -1
    } | sed 's/^/    /' | tee -a "$results"
}

echo "# GPU check, $(date -u '+%Y-%m-%d %H:%M UTC')" >"$results"
note ""
note "## Machine"
note ""
note "- git: $(git rev-parse --short HEAD 2>/dev/null || echo 'not a checkout')"
note "- $(command -v nvidia-smi >/dev/null && nvidia-smi -L | head -1 || echo 'no nvidia-smi')"
"$python" - <<'EOF' 2>&1 | tee -a "$results"
import importlib, platform


def version(name):
    try:
        return f"{name} {getattr(importlib.import_module(name), '__version__', '?')}"
    except Exception as exc:  # absent, or broken
        return f"no {name} ({type(exc).__name__})"


names = ("numpy", "cupy", "jax", "scipy", "pytest", "hypothesis", "autograd", "dask")
print(f"- Python {platform.python_version()}: {', '.join(map(version, names))}")
EOF

note ""
note "## Install (offline: $wheels)"
note ""
step "gast and astor" 120 install.log \
    "$python" -m pip install --no-deps --no-index --find-links "$wheels" gast astor
before=$status
step "tangentlike" 180 install.log \
    "$python" -m pip install --no-deps --no-index --find-links "$wheels" . ||
    { step "tangentlike, built with the machine's own setuptools" 120 install.log \
        "$python" -m pip install --no-deps --no-index --no-build-isolation . &&
        status=$before; }
step "the installed package" 60 install.log \
    "$python" -I -c "import tangentlike, tangentlike.api.cli; print(tangentlike.__file__)"

note ""
note "## GPU tests (pytest -m gpu)"
note ""
limit=$(( $(left) - 200 )); [ "$limit" -gt 240 ] && limit=240
step "GPU tests" "$limit" gpu_tests.log \
    "$python" -m pytest -m gpu -p no:cacheprovider -q -rA -W default \
    --continue-on-collection-errors tests
summary "$out/gpu_tests.log"
note "  host copies:"
grep -E '^(PASSED|FAILED|ERROR) .*no_host_copies' "$out/gpu_tests.log" |
    awk '{print $1}' | sort | uniq -c | sed 's/^ */    /' | tee -a "$results"

note ""
note "## GPU benchmark"
note ""
limit=$(( $(left) - 80 )); [ "$limit" -gt 180 ] && limit=180
step "benchmark" "$limit" benchmark.log \
    "$python" benchmarks/gpu.py --budget $((limit - 60)) --out "$out/benchmark.md"
[ -f "$out/benchmark.md" ] && tee -a "$results" <"$out/benchmark.md"

note ""
note "## The rest of the suite (pytest -m 'not gpu and not slow')"
note ""
step "CPU tests" $(( $(left) - 10 )) cpu_tests.log \
    "$python" -m pytest -m "not gpu and not slow" -p no:cacheprovider -q \
    --continue-on-collection-errors tests
summary "$out/cpu_tests.log"

note ""
note "Finished in $((SECONDS - start)) s; results in $results"
exit $status
