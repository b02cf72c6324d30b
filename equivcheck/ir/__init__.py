"""Stage 2: the label-free control-flow IR (model, builder, canonical form, text)."""
