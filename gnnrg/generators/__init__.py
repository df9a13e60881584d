"""Random-graph generators: the cSBM family, real-data erasure, and the sparse SBM sampler."""

from gnnrg.generators.csbm import VARIANTS, csbm
from gnnrg.generators.erase import erase
from gnnrg.generators.registry import GENERATORS, resolve_generator
from gnnrg.generators.sbm import sample_sbm_edges

__all__ = ["GENERATORS", "VARIANTS", "csbm", "erase", "resolve_generator", "sample_sbm_edges"]
