"""``scipy.optimize.minimize`` with tangentlike's gradient as its ``jac``, on a real
problem: the Michaelis-Menten kinetics of an enzyme treated with Puromycin
(Treloar, 1974; the ``Puromycin`` data of R), fitted by least squares.

    rate = Vmax * concentration / (K + concentration)

    python examples/scipy_minimize.py
"""

import numpy as np

# substrate concentration (ppm) and reaction rate (counts/min^2), treated cells
CONCENTRATION = np.array(
    [0.02, 0.02, 0.06, 0.06, 0.11, 0.11, 0.22, 0.22, 0.56, 0.56, 1.10, 1.10]
)
RATE = np.array([76.0, 47, 97, 107, 123, 139, 159, 152, 191, 201, 207, 200])


def sum_of_squares(params, concentration, rate):
    """The squared misfit of the Michaelis-Menten curve with ``params = (Vmax, K)``."""
    vmax, k = params[0], params[1]
    predicted = vmax * concentration / (k + concentration)
    return np.sum((rate - predicted) ** 2)


def main(argv=None):
    from scipy.optimize import minimize

    import tangentlike as tl

    start = np.array([150.0, 0.1])
    data = (CONCENTRATION, RATE)
    found = minimize(
        sum_of_squares, start, args=data, jac=tl.grad(sum_of_squares), method="BFGS"
    )
    plain = minimize(sum_of_squares, start, args=data, method="BFGS")
    vmax, k = found.x
    print("Michaelis-Menten fit of the Puromycin data, scipy.optimize.minimize (BFGS)")
    fit = f"Vmax = {vmax:.2f}, K = {k:.5f}, SSE = {found.fun:.1f}"
    print(f"  with jac=tl.grad(f): {fit}")
    print(f"    {found.nfev} evaluations of f, {found.njev} of its gradient")
    print(f"  finite differences:  {plain.nfev} evaluations of f")
    print("  published (Bates & Watts 1988): Vmax = 212.68, K = 0.06412, SSE = 1195.4")
    return found.x


if __name__ == "__main__":
    main()
