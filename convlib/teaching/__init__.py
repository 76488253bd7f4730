"""What the book teaches with, beyond the operations: exercise checks, the grouped-convolution
study (``grouped_study``, its stored results in ``results/grouped_study.json``), a progress bar, a
tiny trainable network, sample data, classic image kernels and chapter 6's comparison of convlib's
MACs with the cost counters (``cost_counters``, imported on demand: it needs torch, and fvcore,
ptflops and thop where installed). Import the submodule you need
(``from convlib.teaching.exercises import check_output_size``) or use it as an attribute
(``convlib.teaching.kernels.sobel_x``); scikit-learn is needed by the study and the digits data
(the ``notebooks`` extra)."""

from convlib.teaching import data, exercises, kernels, progress, studies, train

# grouped_study is imported on demand (``from convlib.teaching import grouped_study``), so that
# ``python -m convlib.teaching.grouped_study`` runs it as a fresh module
__all__ = ["data", "exercises", "kernels", "progress", "studies", "train"]
