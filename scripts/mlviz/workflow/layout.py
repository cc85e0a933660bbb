"""Where every file of a run lives: one table of path patterns under results/<run>/.

The same table builds paths (the rules' inputs and outputs, rule `all`, the article's figure plan)
and classifies a path back into its kind and wildcards (the manifest, the article), so the two can
never drift apart. Light on purpose (standard library only): the Snakefile imports it at parse time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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
# kind: (pattern, role, family)
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
    # figures of the tabular models
    "tree_figure": ("figures/tree/{dataset}/{model}.png", "figure", "tree"),
    "importance_figure": ("figures/importance/{dataset}/{model}/{method}.png", "figure", "importance"),
    "coefficients_figure": ("figures/linear/{dataset}/{model}/coefficients.png", "figure", "linear"),
    "residuals_figure": ("figures/linear/{dataset}/{model}/residuals.png", "figure", "linear"),
    "residual_distribution_figure": ("figures/linear/{dataset}/{model}/residual_distribution.png", "figure",
                                     "linear"),
    "confusion_matrix_figure": ("figures/performance/{dataset}/{model}/confusion_matrix.png", "figure",
                                "performance"),
    "roc_figure": ("figures/performance/{dataset}/{model}/roc.png", "figure", "performance"),
    "pr_figure": ("figures/performance/{dataset}/{model}/pr.png", "figure", "performance"),
    "shap_waterfall_figure": ("figures/shap/{dataset}/{model}/waterfall_row{row}.png", "figure", "shap"),
    "shap_force_figure": ("figures/shap/{dataset}/{model}/force_row{row}.png", "figure", "shap"),
    "shap_beeswarm_figure": ("figures/shap/{dataset}/{model}/beeswarm.png", "figure", "shap"),
    "shap_bar_figure": ("figures/shap/{dataset}/{model}/bar.png", "figure", "shap"),
    "shap_dependence_figure": ("figures/shap/{dataset}/{model}/dependence_top{rank}.png", "figure", "shap"),
    "lime_figure": ("figures/lime/{dataset}/{model}/test{position}.png", "figure", "lime"),
    "lime_stability_figure": ("figures/lime/{dataset}/{model}/stability_test{position}.png", "figure", "lime"),
    # model comparison, calibration, feature effects, thresholds, trust in the explanations
    "comparison_metrics": ("comparison/{dataset}/metrics.parquet", "table", None),
    "comparison_differences": ("comparison/{dataset}/differences.parquet", "table", None),
    "roc_comparison_figure": ("figures/comparison/{dataset}/roc.png", "figure", "comparison"),
    "pr_comparison_figure": ("figures/comparison/{dataset}/pr.png", "figure", "comparison"),
    "predicted_vs_actual_figure": ("figures/comparison/{dataset}/predicted_vs_actual.png", "figure", "comparison"),
    "intervals_figure": ("figures/comparison/{dataset}/intervals.png", "figure", "comparison"),
    "calibration_curve": ("calibration/{dataset}/curve.parquet", "table", None),
    "calibration_histogram": ("calibration/{dataset}/histogram.parquet", "table", None),
    "calibration_scores": ("calibration/{dataset}/scores.parquet", "table", None),
    "calibration_figure": ("figures/calibration/{dataset}.png", "figure", "calibration"),
    "pdp": ("effects/{dataset}/{model}/pdp.parquet", "table", None),
    "pdp_pair": ("effects/{dataset}/{model}/pair.parquet", "table", None),
    "pdp_summary": ("effects/{dataset}/{model}/summary.parquet", "table", None),
    "pdp_figure": ("figures/effects/{dataset}/{model}/pdp.png", "figure", "effects"),
    "pdp_pair_figure": ("figures/effects/{dataset}/{model}/pair.png", "figure", "effects"),
    "threshold_table": ("threshold/{dataset}/{model}.parquet", "table", None),
    "threshold_summary": ("threshold/{dataset}/{model}.json", "table", None),
    "threshold_figure": ("figures/threshold/{dataset}/{model}.png", "figure", "threshold"),
    "agreement": ("trust/{dataset}/agreement.parquet", "table", None),
    "agreement_figure": ("figures/trust/{dataset}/agreement.png", "figure", "trust"),
    "deletion": ("trust/{dataset}/{model}/deletion.parquet", "table", None),
    "deletion_area": ("trust/{dataset}/{model}/deletion_area.parquet", "table", None),
    "deletion_figure": ("figures/trust/{dataset}/{model}/deletion.png", "figure", "trust"),
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
    "cnn_architecture_figure": ("figures/neural/architecture.png", "figure", "neural"),
    "cnn_curves_figure": ("figures/neural/training_curves.png", "figure", "neural"),
    "cnn_confusion_figure": ("figures/neural/confusion_matrix.png", "figure", "neural"),
    "gradcam_grid_figure": ("figures/neural/gradcam_grid.png", "figure", "neural"),
    "gradcam_randomization_figure": ("figures/neural/gradcam_randomization.png", "figure", "neural"),
    "resnet_figure": ("figures/neural/resnet50_gradcam.png", "figure", "neural"),
    # the article and the manifest
    "facts": ("report/facts.yml", "report", None),
    "article": ("report/article.{format}", "report", None),
    "manifest": ("manifest.parquet", "table", None),
    # per-job records
    "log": ("logs/{rule}/{name}.log", "log", None),
    "benchmark": ("benchmarks/{rule}/{name}.tsv", "log", None),
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
