"""Market-briefing digest: a static-site generator for market news."""

import os

# The stages spread work over one process per core; numpy's BLAS threads on top of that would
# fight over the same cores (its matrices here are small), so each process keeps to one thread.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
