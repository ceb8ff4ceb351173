"""The statement engine's presentation: the ``yosan`` command, exports, and Fava."""
