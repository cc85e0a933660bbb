"""Where every file of a run lives: one table of path patterns under results/<run>/.

The same table builds paths (the rules' inputs and outputs, rule `all`, the article's figure plan)
and classifies a path back into its kind and wildcards (the manifest, the article), so the two can
never drift apart. Light on purpose (standard library only): the Snakefile imports it at parse time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .registry import FIGURES

# Values a wildcard may take. Names of datasets and models are config keys (schema: name); the CNN
# lives under the dataset name of config neural.dataset, which may not be a tabular dataset's name.
NAME = r"[A-Za-z][A-Za-z0-9_]*"
WILDCARDS = {
    "source": NAME,
    "dataset": NAME,
    "model": NAME,
    "fmt": r"skops|ubj",
    "method": r"impurity|permutation|coefficient",
    "row": r"\d+",
    "rank": r"\d+",
    "position": r"\d+",
    "rule": r"[A-Za-z0-9_]+",
    "name": r"[A-Za-z0-9_./-]+",
    "format": r"html|pdf",
}

# role: what the manifest calls the file (table, model, figure, report, log);
# family: the part of the article a figure belongs to.
# kind: (pattern, role, family). The figures' own entries come from mlviz.workflow.registry.
KINDS: dict[str, tuple[str, str, str | None]] = {
    # data
    "raw_csv": ("raw/{source}.csv", "table", None),
    "resolved_config": ("config.resolved.yaml", "table", None),
    "train": ("data/{dataset}/train.parquet", "table", None),
    "test": ("data/{dataset}/test.parquet", "table", None),
    "meta": ("data/{dataset}/meta.json", "table", None),
    # models and their test-split results
    "model": ("models/{dataset}/{model}.{fmt}", "model", None),
    "predictions": ("predictions/{dataset}/{model}.parquet", "table", None),
    "metrics_part": ("metrics/{dataset}/{model}.parquet", "table", None),
    "metrics": ("metrics.parquet", "table", None),
    # importances
    "importance_part": ("importances/{dataset}/{model}/{method}.parquet", "table", None),
    "importances": ("importances.parquet", "table", None),
    # SHAP
    "shap_values": ("shap/{dataset}/{model}/values.parquet", "table", None),
    "shap_summary": ("shap/{dataset}/{model}/summary.json", "table", None),
    "shap_importance": ("shap/{dataset}/{model}/importance.parquet", "table", None),
    # LIME
    "lime_explanation": ("lime/{dataset}/{model}/test{position}/explanation.parquet", "table", None),
    "lime_runs": ("lime/{dataset}/{model}/test{position}/runs.parquet", "table", None),
    "lime_stability": ("lime/{dataset}/{model}/test{position}/stability.parquet", "table", None),
    "lime_agreement": ("lime/{dataset}/{model}/test{position}/agreement.parquet", "table", None),
    "lime_importance": ("lime/{dataset}/{model}/importance.parquet", "table", None),
    "lime_page": ("figures/lime/{dataset}/{model}/test{position}.html", "report", None),
    # a decision tree's questions in data units (what its figure writes)
    "tree_questions": ("trees/{dataset}/{model}.parquet", "table", None),
    # model comparison, calibration, feature effects, thresholds, trust in the explanations (tables)
    "comparison_metrics": ("comparison/{dataset}/metrics.parquet", "table", None),
    "comparison_differences": ("comparison/{dataset}/differences.parquet", "table", None),
    "calibration_curve": ("calibration/{dataset}/curve.parquet", "table", None),
    "calibration_histogram": ("calibration/{dataset}/histogram.parquet", "table", None),
    "calibration_scores": ("calibration/{dataset}/scores.parquet", "table", None),
    "pdp": ("effects/{dataset}/{model}/pdp.parquet", "table", None),
    "pdp_pair": ("effects/{dataset}/{model}/pair.parquet", "table", None),
    "pdp_summary": ("effects/{dataset}/{model}/summary.parquet", "table", None),
    "threshold_table": ("threshold/{dataset}/{model}.parquet", "table", None),
    "threshold_summary": ("threshold/{dataset}/{model}.json", "table", None),
    "agreement": ("trust/{dataset}/agreement.parquet", "table", None),
    "deletion": ("trust/{dataset}/{model}/deletion.parquet", "table", None),
    "deletion_area": ("trust/{dataset}/{model}/deletion_area.parquet", "table", None),
    # checks before explanations (mlviz.compute.diagnostics) and where the model fails (mlviz.compute.slices)
    "redundancy_groups": ("diagnostics/{dataset}/redundancy_groups.parquet", "table", None),
    "redundancy_pairs": ("diagnostics/{dataset}/redundancy_pairs.parquet", "table", None),
    "leakage": ("diagnostics/{dataset}/leakage.parquet", "table", None),
    "duplicates": ("diagnostics/{dataset}/duplicates.parquet", "table", None),
    "column_caveats": ("diagnostics/{dataset}/columns.parquet", "table", None),
    "baseline": ("diagnostics/{dataset}/baseline.parquet", "table", None),
    "permutation_checked": ("diagnostics/{dataset}/{model}/permutation.parquet", "table", None),
    "filled_rows": ("diagnostics/{dataset}/filled_rows.parquet", "table", None),
    "fill_jumps": ("diagnostics/{dataset}/fill_jumps.parquet", "table", None),
    "top_k_checks": ("diagnostics/{dataset}/top_k.parquet", "table", None),
    "slices": ("diagnostics/{dataset}/{model}/slices.parquet", "table", None),
    # the CNN (dataset: config neural.dataset)
    "cnn_images": ("neural/{dataset}/images.npz", "table", None),
    "cnn_model": ("models/{dataset}/cnn.keras", "model", None),
    "cnn_layers": ("neural/{dataset}/layers.parquet", "table", None),
    "cnn_history": ("neural/{dataset}/history.parquet", "table", None),
    "cnn_gradcam": ("neural/{dataset}/gradcam.npz", "table", None),
    "cnn_sanity": ("neural/{dataset}/sanity.parquet", "table", None),
    "tensorboard": ("tensorboard", "log", None),
    "resnet_sample": ("neural/resnet50/sample_image.png", "table", None),
    "resnet_gradcam": ("neural/resnet50/gradcam.npz", "table", None),
    "resnet_top": ("neural/resnet50/top_classes.parquet", "table", None),
    # the article and the manifest
    "facts": ("report/facts.yml", "report", None),
    "article": ("report/article.{format}", "report", None),
    "manifest": ("manifest.parquet", "table", None),
    # per-job records
    "log": ("logs/{rule}/{name}.log", "log", None),
    "benchmark": ("benchmarks/{rule}/{name}.tsv", "log", None),
    **{f.kind: (f.pattern, "figure", f.family) for f in FIGURES},
}

_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Entry:
    """A run file classified: its kind, role (table, model, figure, report, log), the figure family
    (None unless a figure) and the wildcard values (dataset, model, ...)."""
    kind: str
    role: str
    family: str | None
    wildcards: dict

    @property
    def dataset(self):
        return self.wildcards.get("dataset")

    @property
    def model(self):
        return self.wildcards.get("model")


def _regex(pattern: str) -> re.Pattern:
    out, pos = "", 0
    for m in _FIELD.finditer(pattern):
        out += re.escape(pattern[pos:m.start()]) + f"(?P<{m.group(1)}>{WILDCARDS[m.group(1)]})"
        pos = m.end()
    return re.compile(out + re.escape(pattern[pos:]) + "$")


# Fixed paths first, then by pattern specificity, so "models/digits/cnn.keras" is the CNN's model
# and not a tabular model named cnn of format keras (which `fmt` would not match anyway).
_MATCHERS = sorted(((kind, _regex(p)) for kind, (p, _, _) in KINDS.items()),
                   key=lambda kv: (len(_FIELD.findall(KINDS[kv[0]][0])), kv[0]))


class Layout:
    """Paths of one run folder (`root`, e.g. results/demo)."""

    def __init__(self, root: str):
        self.root = root.rstrip("/")

    def pattern(self, kind: str) -> str:
        """The path with Snakemake wildcards, e.g. results/demo/figures/tree/{dataset}/{model}.png."""
        return f"{self.root}/{KINDS[kind][0]}"

    def path(self, kind: str, **wildcards) -> str:
        return self.pattern(kind).format(**wildcards)

    def log(self, rule: str, name: str = "{dataset}") -> str:
        return self.path("log", rule=rule, name=name)

    def benchmark(self, rule: str, name: str = "{dataset}") -> str:
        return self.path("benchmark", rule=rule, name=name)

    def relative(self, path: str) -> str:
        prefix = self.root + "/"
        return path[len(prefix):] if path.startswith(prefix) else path

    def classify(self, path: str) -> Entry | None:
        """The kind of a file under the run folder (path absolute to the run or relative to it);
        files inside a directory output (TensorBoard's) belong to that directory."""
        rel = self.relative(path)
        for kind, rx in _MATCHERS:
            m = rx.match(rel)
            if m is None and KINDS[kind][1] == "log" and kind == "tensorboard":
                m = rx.match(rel.split("/", 1)[0])
            if m is not None:
                _, role, family = KINDS[kind]
                return Entry(kind, role, family, m.groupdict())
        if rel.startswith(("logs/", "benchmarks/")):
            return Entry("log", "log", None, {})
        return None
