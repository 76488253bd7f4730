"""What the book teaches with, beyond the operations: exercise checks, the grouped-convolution
study (``grouped_study``, its stored results in ``results/grouped_study.json``), a progress bar, a
tiny trainable network, sample data and classic image kernels. Import the submodule you need
(``from convlib.teaching.exercises import check_output_size``) or use it as an attribute
(``convlib.teaching.kernels.sobel_x``); scikit-learn is needed by the study and the digits data
(the ``notebooks`` extra)."""

from convlib.teaching import data, exercises, grouped_study, kernels, progress, studies, train

__all__ = ["data", "exercises", "grouped_study", "kernels", "progress", "studies", "train"]
