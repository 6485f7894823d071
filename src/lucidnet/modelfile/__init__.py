"""Model files: the ``.npz`` format without pickle (:mod:`.persistence`), the checks
that refuse a bad file (:mod:`.checks`), and the ONNX export (:mod:`.onnx_export`)."""
