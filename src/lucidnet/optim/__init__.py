"""Optimizers (each update as its paper writes it, on a flat state the base class
carries), learning-rate schedules and gradient clipping.  NumPy only; they know
parameters and gradients, never layers or networks."""
