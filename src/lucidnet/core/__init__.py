"""The NumPy-only core: what the text's equations compute.

``activation_functions`` (sigma and sigma') and ``activations`` (their registry),
``losses``, ``initializers``, ``layer`` / ``dense`` / ``dropout`` (and the
``layers`` registry), ``network`` (forward, cost, backward, step, predict),
``gradient_check`` (central differences and the relative error), ``checks``
(the number and array validators), ``metrics`` (accuracy and R^2) and
``work_arrays`` (the one place that reuses memory between steps).  Nothing
here imports anything above it.
"""
