"""The helpers generated code calls, public as ``tangentlike.runtime``.

Few and small, they only use array methods and NumPy functions that dispatch
through ``__array_function__``, so CuPy and Dask arrays stay where they live, and
they keep the gradient's dtype.  Generated code imports them from here.
"""

from .broadcast import (  # noqa: F401
    broadcast_like,
    matmul_lhs,
    matmul_rhs,
    pairwise_weights,
    reduced_size,
    sum_to,
    unbroadcast,
    unbroadcast_as,
    unreduce,
)
from .containers import (  # noqa: F401
    ABSENT,
    GradDict,
    GradList,
    GradTuple,
    add,
    add_at,
    array_grad,
    as_grad,
    as_kind,
    attr_grad,
    attr_part,
    item_or_absent,
    owned,
    plus_grad,
    restore_item,
    setitem_grad,
    setitem_scatter,
    sorted_like,
    sum_grad,
    take_item,
    times_grad,
    unsort,
    zero_grad,
    zeros_items,
    zeros_like,
)
from .control import body_stopped, call_arguments, truncate  # noqa: F401
from .differences import gradient_apply, gradient_grad  # noqa: F401
from .elementwise import (  # noqa: F401
    clip_mask,
    digamma,
    item_of,
    safe_log,
    sinc_deriv,
    stop_gradient,
    trigamma,
    zero_cases,
)
from .library import (  # noqa: F401
    absent,
    convolve_pads,
    end_shape,
    insert_sources,
    interp_segment,
    polyval_coefficients,
    quantile_gather,
    quantile_q_grad,
    quantile_scatter,
    scatter_sum,
    take_at,
)
from .linalg import (  # noqa: F401
    einsum_grad,
    inner_subscripts,
    kron_layout,
    mT,
    require,
    solve_lhs,
    solve_rhs,
    tensordot_subscripts,
)
from .padding import pad_fill_grad, pad_grad, pad_tangent  # noqa: F401
from .reductions import (  # noqa: F401
    first_zeros,
    norm_grad,
    picked_sum,
    prod_others,
    weights_shape,
)
from .second_order import (  # noqa: F401
    einsum_grad_tangent,
    einsum_with,
    norm_grad_partials,
    prod_others_jvp,
    solve_rhs_tangent,
)
from .shapes import (  # noqa: F401
    column_stack_grad,
    diag_grad,
    diagonal_grad,
    diff_grad,
    hstack_grad,
    inverse_axes,
    layout_order,
    repeat_grad,
    reshape_grad,
    reshape_tangent,
    take_along_grad,
    take_grad,
    tile_axes,
    unconcat,
    unstack,
    vstack_grad,
)
