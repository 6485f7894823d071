"""Looking inside a network: the equations with their shapes (:mod:`.explain`) and
what training does to the hidden units (:mod:`.diagnostics`)."""
