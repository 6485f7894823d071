"""Pictures (matplotlib, imported by each function): data and decision boundaries
(:mod:`.boundary`), learning curves (:mod:`.curves`), diagnostics (:mod:`.diagnostics`)
and the training animation (:mod:`.animation`).  Each returns its figure."""
