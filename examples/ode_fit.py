"""Fitting the parameters of an ODE: a damped pendulum, integrated with a
hand-written fourth-order Runge-Kutta loop, is fitted to noisy observations of its
angle by gradient descent; tangentlike differentiates through every step.

    theta'' = -g_over_l * sin(theta) - damping * theta'

    python examples/ode_fit.py [STEPS] [ITERATIONS]      (default 100 RK4 steps, 300 iterations)
"""

import numpy as np


def pendulum(state, g_over_l, damping):
    theta, omega = state[0], state[1]
    return np.stack([omega, -g_over_l * np.sin(theta) - damping * omega])


def trajectory(params, state0, dt, steps):
    """The angle at each step, integrated by RK4."""
    g_over_l, damping = params[0], params[1]
    state = state0
    angles = [state0[0]]
    for _ in range(steps):
        k1 = pendulum(state, g_over_l, damping)
        k2 = pendulum(state + 0.5 * dt * k1, g_over_l, damping)
        k3 = pendulum(state + 0.5 * dt * k2, g_over_l, damping)
        k4 = pendulum(state + dt * k3, g_over_l, damping)
        state = state + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        angles.append(state[0])
    return np.stack(angles)


def misfit(params, state0, dt, steps, observed):
    """Mean squared difference between the simulated and the observed angles."""
    return np.mean((trajectory(params, state0, dt, steps) - observed) ** 2)


def main(argv=None):
    import sys

    import tangentlike as tl

    argv = sys.argv[1:] if argv is None else argv
    steps = int(argv[0]) if argv else 100
    iterations = int(argv[1]) if len(argv) > 1 else 300
    dt = 10.0 / steps
    state0 = np.array([1.0, 0.0])  # released at 1 radian, at rest
    true = np.array([9.81 / 1.5, 0.3])  # a 1.5 m pendulum, lightly damped
    rng = np.random.default_rng(0)
    observed = trajectory(true, state0, dt, steps) + 0.02 * rng.normal(size=steps + 1)
    value_and_grad = tl.value_and_grad(misfit)
    params = np.array([5.0, 0.1])  # the first guess
    print(f"damped pendulum, RK4 with {steps} steps of {dt:.3f} s, 2 parameters")
    print(f"  first guess: g/l = {params[0]:.3f}, damping = {params[1]:.3f}")
    rate = np.array([2.0, 0.5])
    for _ in range(iterations):
        value, g = value_and_grad(params, state0, dt, steps, observed)
        params = params - rate * g
    print(f"  after {iterations} gradient steps:")
    print(f"    found: g/l = {params[0]:.3f}, damping = {params[1]:.3f}")
    print(f"    true:  g/l = {true[0]:.3f}, damping = {true[1]:.3f}")
    print(f"  misfit {value:.5f} (noise variance {0.02**2:.5f})")
    return params


if __name__ == "__main__":
    main()
