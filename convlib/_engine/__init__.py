"""The engine behind :mod:`convlib.functional` (private): the fast kernels, the FFT path, the
worker threads and the rule that chooses between them. Nothing here validates arguments; the
functional ops do that once and pass a resolved plan in."""
