"""Drawing functions, one module per figure family. Each takes computed tables or arrays (never a
model to evaluate), keyword-only options including `style` (mlviz.plots.style.Style) and `ax` where the
underlying library allows, and returns the Matplotlib figure unsaved (mlviz.plots.style.save writes it)."""
