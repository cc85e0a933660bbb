"""The one place figures get their look, and the one way they are saved.

Every drawing function of mlviz.plots follows the same contract, the one of scikit-learn's Displays
and shap's plots: the data first, then keyword-only options, among them `style` (a Style, the
look from config) and `ax` (draw into an existing Axes; None: a new figure of the style's size).
It returns the Matplotlib figure, not yet saved, so that tests can read what was drawn.

`save` writes the PNG without a timestamp, so identical inputs give identical bytes. Its text
chunks name the rule and a digest of the job's parameters: what the figure depends on besides its
input files (the run's config hash and commit are the manifest's business, since a figure is not
redrawn when an unrelated config key or a commit changes)."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path



def _pyplot():
    """matplotlib.pyplot on the Agg backend, imported on first use: the Snakefile reads Style at
    parse time, and a no-op run must not pay for matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    return matplotlib.pyplot


def __getattr__(name: str):
    if name == "plt":  # `from mlviz.plots.style import plt` in the drawing modules
        return _pyplot()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Style:
    """Build it with Style.of(...): its defaults are config/schema.yaml's `style` defaults."""
    dpi: int
    width: float       # inches
    height: float      # inches
    font_size: float
    palette: tuple
    cmap: str
    bar_color: str
    edge_color: str

    @classmethod
    def of(cls, *layers: dict | None) -> "Style":
        """The config's style defaults (config/schema.yaml) ← each layer in turn (config `style:`,
        then a figure's own settings); keys that are not style keys are ignored, so a figure's
        whole config section can be passed."""
        from ..config.schema import defaults

        names = {f.name for f in fields(cls)}
        values: dict = dict(defaults("style"))
        for layer in layers:
            values.update({k: v for k, v in (layer or {}).items() if k in names and v is not None})
        if "palette" in values:
            values["palette"] = tuple(values["palette"])
        return cls(**values)

    def with_(self, **changes) -> "Style":
        return replace(self, **changes)

    def colour(self, i: int) -> str:
        return self.palette[i % len(self.palette)]

    def rc(self) -> dict:
        return {
            "figure.dpi": self.dpi,
            "savefig.dpi": self.dpi,
            "font.size": self.font_size,
            "axes.titlesize": self.font_size + 2,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": self.font_size,
            "axes.prop_cycle": _pyplot().cycler(color=list(self.palette)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": self.cmap,
            "svg.hashsalt": "mlviz",
            # Column names and levels are text, never markup: "$a$" is drawn as written, not as maths.
            "text.parse_math": False,
        }

    def apply(self) -> None:
        """Matplotlib's global settings for this style (libraries that open their own figures,
        such as shap's waterfall or lime's bar chart, read them)."""
        plt = _pyplot()
        plt.rcdefaults()
        plt.rcParams.update(self.rc())

    def figure(self, *, width: float | None = None, height: float | None = None, **subplots):
        """A new figure (and axes) of this style; width/height override the style's size."""
        self.apply()
        return _pyplot().subplots(figsize=(width or self.width, height or self.height), **subplots)

    def axes(self, ax=None, *, width: float | None = None, height: float | None = None, **subplots):
        """(figure, axes): the given axes and their figure, or a new figure of this style."""
        if ax is not None:
            return ax.figure, ax
        return self.figure(width=width, height=height, **subplots)


def _overlapping(labels, renderer, pad: float = 2.0) -> bool:
    boxes = [t.get_window_extent(renderer) for t in labels if t.get_visible() and t.get_text()]
    boxes.sort(key=lambda b: b.x0)
    return any(b.x0 < a.x1 + pad for a, b in zip(boxes, boxes[1:]))


def _panel_px(ax) -> tuple[float, float]:
    """Width and height (pixels) of the grid cell an axes was laid out in: the room its labels
    may take whatever the layout has done to the axes (a colour bar or a library's own axes: the
    figure)."""
    fw, fh = ax.figure.bbox.width, ax.figure.bbox.height
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    if spec is None or ax.get_label() == "<colorbar>":
        return fw, fh
    grid = spec.get_gridspec()
    widths, heights = grid.get_width_ratios(), grid.get_height_ratios()
    nrows, ncols = grid.get_geometry()
    widths, heights = widths or [1] * ncols, heights or [1] * nrows
    return (fw * sum(widths[i] for i in spec.colspan) / sum(widths),
            fh * sum(heights[i] for i in spec.rowspan) / sum(heights))


def _wrap(text_obj, room: float, renderer) -> None:
    """Break a label that is longer than `room` pixels at spaces, so that no line is."""
    import textwrap

    text = text_obj.get_text()
    if not text.strip():
        return
    box = text_obj.get_window_extent(renderer)
    length = max(box.width, box.height) if text_obj.get_rotation() else box.width
    lines = text.split("\n")
    longest = max(len(line) for line in lines)
    if length <= room or longest < 12:
        return
    # The box measures the longest line; characters per line scale with it.
    width = max(12, int(longest * room / length * 0.95))
    text_obj.set_text("\n".join(textwrap.fill(line, width, break_long_words=False) for line in lines))


def wrap_labels(fig) -> None:
    """Long axis labels, titles and the figure's title (a long feature or class name) wrapped to
    the room they have instead of squeezing the plot or running off the image. Run on every
    figure before it is saved."""
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        w, h = _panel_px(ax)
        _wrap(ax.xaxis.label, w, renderer)
        _wrap(ax.yaxis.label, h, renderer)
        for title in (ax.title, ax._left_title, ax._right_title):
            _wrap(title, w, renderer)
    if fig._suptitle is not None:
        _wrap(fig._suptitle, fig.bbox.width * 0.98, renderer)


def declutter(fig) -> bool:
    """Thin or turn x tick labels that touch ("−10000−5000"): numeric axes get fewer ticks, fixed
    (categorical) ones are rotated. Run on every figure before it is saved, after a layout. True
    when the layout still holds (nothing changed, or the figure was laid out again after the last
    change)."""
    from matplotlib.ticker import FixedLocator, MaxNLocator

    renderer = fig.canvas.get_renderer()
    current = True
    for ax in fig.axes:
        axis = ax.xaxis
        # Two labels placed side by side on purpose (shap's "f(x)" "= 1.2") are not a scale.
        if sum(1 for t in axis.get_ticklabels() if t.get_visible() and t.get_text()) < 3:
            continue
        if not _overlapping(axis.get_ticklabels(), renderer):
            continue
        if isinstance(axis.get_major_locator(), FixedLocator):
            for t in axis.get_ticklabels():
                t.set_rotation(35)
                t.set_ha("right")
                t.set_rotation_mode("anchor")
            current = False
            continue
        for nbins in (6, 5, 4, 3, 2):
            axis.set_major_locator(MaxNLocator(nbins=nbins))
            fig.draw_without_rendering()
            current = True
            if not _overlapping(axis.get_ticklabels(), renderer):
                break
    return current


def save(fig, path: str | Path, *, style: Style, stamp: dict | None = None) -> None:
    """Write a PNG; bbox 'tight' so no label is cut off; no timestamp. `stamp`: text chunks
    (mlviz.workflow.jobs gives each rule's figures {"mlviz:rule": ..., "mlviz:params": digest})."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A label's length needs no layout; the tick labels' places do: one layout, without
    # rasterising, after the wrapping.
    wrap_labels(fig)
    fig.draw_without_rendering()
    if declutter(fig) and fig.get_layout_engine() is not None:
        # savefig would lay the figure out once more (constrained layout costs two passes over
        # every text box) only to land within a fraction of a pixel of where it is.
        fig.set_layout_engine("none")
    fig.savefig(path, dpi=style.dpi, bbox_inches="tight", pad_inches=0.15,
                metadata={"Software": None, **(stamp or {})})
    _pyplot().close(fig)


def legend_below(ax, *, ncols: int = 1, widen: bool = True, **kwargs):
    """The legend under the axes' tick labels and axis label, so that it hides no data whatever
    the curves' shapes. The gap is measured, so the legend never overlaps the x label. widen: a
    one-axes figure with a layout engine grows to the legend's width."""
    from matplotlib import transforms

    for artist in [ax.get_legend()]:
        if artist is not None:  # the one a Display drew inside the axes
            artist.remove()
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    gap = (ax.get_window_extent(renderer).y0 - ax.xaxis.get_tightbbox(renderer).y0) / fig.dpi + 0.08
    offset = transforms.ScaledTranslation(0, -gap, fig.dpi_scale_trans)
    legend = ax.legend(loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=ax.transAxes + offset,
                       frameon=False, ncols=ncols, borderaxespad=0, **kwargs)
    if widen and fig.get_layout_engine() is not None and len(fig.axes) == 1:
        # Our own one-axes figure: widen it to the legend, or the layout would shrink the (square)
        # axes to make the legend fit the width.
        needed = legend.get_window_extent(renderer).width / fig.dpi + 0.3
        width, height = fig.get_size_inches()
        if needed > width:
            fig.set_size_inches(needed, height)
    return legend
