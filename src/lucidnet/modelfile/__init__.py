"""Model files: the ``.npz`` format without pickle (:mod:`.persistence`), read without
trusting a byte of it (:mod:`.archive`: the zip and its ``.npy`` headers; :mod:`.manifest`,
:mod:`.preprocessing`, :mod:`.train_state`: every value), and the ONNX export
(:mod:`.onnx_export`)."""
