import os

import pytest

# One torch thread per test process (and its subprocesses): on 2 shared cores torch's default
# threads make small trainings 10-30x slower, and parallel tests start their own workers anyway.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def pytest_configure(config):
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    run_slow = config.getoption("--runslow") or os.environ.get("GNNRG_RUNSLOW") == "1"
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow (CI does)")
    skip_gpu = pytest.mark.skip(reason="needs a CUDA device")
    has_cuda = None
    for item in items:
        if "slow" in item.keywords and not run_slow:
            item.add_marker(skip_slow)
        if "gpu" in item.keywords:
            if has_cuda is None:
                import torch

                has_cuda = torch.cuda.is_available()
            if not has_cuda:
                item.add_marker(skip_gpu)
