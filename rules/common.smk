# Shared by all rule files (the resolved config, the run's layout, the wildcard constraints and
# the input functions). Everything here is read at parse time; nothing heavy is imported.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from mlviz.article import plan
from mlviz.config import selection, settings
from mlviz.config.estimators import model_format
from mlviz.errors import InputError
from mlviz.workflow import layout, modules, provenance, registry, tools, warm

# Quarto and dot where the set-up put them: the interpreter's folder goes first on PATH (mlviz.workflow.tools).
tools.put_interpreter_on_path()

# Local script jobs hand themselves to a process that has imported the heavy libraries once
# (mlviz.workflow.warm; MLVIZ_WARM=0 turns it off); cluster job steps always run as their own process.
warm.configure(workflow)

# The config with every default and inference filled in (mlviz.config.settings): the rules read only this.
try:
    _resolved, NOTES = settings.resolve(config, configfiles=workflow.overwrite_configfiles)
except InputError as e:
    sys.exit(f"mlviz: {e}")  # one line, before any job: the message says all there is
config.clear()
config.update(_resolved)

# The config files the run read: a --configfile, else the demo's (Snakefile); the colophon says
# whether the commit holds them (mlviz.workflow.provenance).
CONFIGFILES = [str(f) for f in workflow.overwrite_configfiles] or [str(Path(workflow.basedir) / "config" / "config.yaml")]
RUN = f"results/{config['run']}"
OUT = layout.Layout(RUN)
DATASETS = list(config["datasets"])
NEURAL = config["neural"]
NDS = NEURAL["dataset"]  # the CNN's images
RESNET_ON = NEURAL["enabled"] and NEURAL["resnet50"]["enabled"]


wildcard_constraints:
    # Tabular datasets only, so that the CNN's files (under its own dataset name) never match them.
    dataset="|".join(DATASETS),
    model=layout.NAME,
    source=layout.NAME,
    fmt=layout.WILDCARDS["fmt"],
    method=layout.WILDCARDS["method"],
    row=r"\d+",
    rank=r"\d+",
    position=r"\d+",
    format=layout.WILDCARDS["format"],


def code(script):
    """The script's own package modules (found from its imports): inputs of its rule, so that
    editing one reruns exactly the rules whose scripts use it."""
    return modules.used_by(Path(workflow.basedir) / "scripts" / f"{script}.py")


def dataset(w):
    return config["datasets"][w.dataset]


def model_cfg(w):
    return config["datasets"][w.dataset]["models"][w.model]


def model_file(w):
    m = model_cfg(w)
    return OUT.path("model", dataset=w.dataset, model=w.model, fmt=model_format(m["type"], dataset(w)["task"]))


def raw_csv(w):
    """The raw CSV of a dataset: the user's file, or the demo generator's output."""
    name = dataset(w)["source"]
    src = config["sources"][name]
    return src["path"] if "path" in src else OUT.path("raw_csv", source=name)


def explained(family, w):
    """The figures.shap/lime entry of a (dataset, model), with its class."""
    key = selection.FAMILIES[family]
    return next(e for e in config["figures"][family][key] if (e["dataset"], e["model"]) == (w.dataset, w.model))


def keys(section, *names):
    """Only these keys of figures.<section>: a rule's params, so that editing another key of the
    section (a colour, a size) does not rerun it."""
    return {k: config["figures"][section][k] for k in names}


def figure_style(*sections):
    """config style ← each figure section in turn (their style keys only; see mlviz.plots.style)."""
    from mlviz.plots.style import Style

    layers = [config["style"]]
    node = config["figures"]
    for s in sections:
        node = node[s]
        layers.append(node)
    return Style.of(*layers).__dict__


def neural_style():
    from mlviz.plots.style import Style

    return Style.of(config["style"], NEURAL["style"]).__dict__


def models_of(family):
    return selection.entries(config, family)


def all_models():
    return [(ds, m) for ds, d in config["datasets"].items() for m in d["models"]]


def metric_parts(w=None):
    parts = [OUT.path("metrics_part", dataset=ds, model=m) for ds, m in all_models()]
    return parts + ([OUT.path("metrics_part", dataset=NDS, model="cnn")] if NEURAL["enabled"] else [])


def importance_methods():
    """(dataset, model, method) computed by rules/importance.smk: impurity for tree models that
    have it, permutation for every model of figures.importance, coefficients of linear regressions."""
    specs = []
    for ds, m in models_of("importance"):
        if config["datasets"][ds]["models"][m]["type"] in ("decision_tree", "random_forest"):
            specs.append((ds, m, "impurity"))
        specs.append((ds, m, "permutation"))
    specs += [(ds, m, "coefficient") for ds, m in models_of("linear")]
    return specs


def importance_parts(w=None, dataset=None):
    """Every part of the importance table (of one dataset when `dataset` is given)."""
    parts = [(ds, OUT.path("importance_part", dataset=ds, model=m, method=k)) for ds, m, k in importance_methods()]
    parts += [(ds, OUT.path("shap_importance", dataset=ds, model=m)) for ds, m in models_of("shap")]
    parts += [(ds, OUT.path("lime_importance", dataset=ds, model=m)) for ds, m in models_of("lime")]
    return [p for ds, p in parts if dataset in (None, ds)]


def methods_of(ds, m):
    """The importance methods computed for a model (what rules/trust.smk can compare)."""
    methods = [k for d, mm, k in importance_methods() if (d, mm) == (ds, m)]
    methods += ["mean_abs_shap"] if (ds, m) in models_of("shap") else []
    return methods + (["lime_weight"] if (ds, m) in models_of("lime") else [])


def compared(ds):
    """Whether some model of the dataset has two importance methods to compare."""
    return any(len(methods_of(ds, m)) >= 2 for m in config["datasets"][ds]["models"])


def classification(ds):
    return config["datasets"][ds]["task"] == "classification"


# What each figure of the registry (mlviz.workflow.registry) is drawn for. FIGURE_OVER: the
# (dataset, model) pairs of a selection, every tabular dataset, or the run; FIGURE_EACH: the values of
# a further wildcard; FIGURE_WHEN: the condition a figure needs.
def figure_over(over):
    if over == "dataset":
        return [{"dataset": ds} for ds in DATASETS]
    if over == "run":
        return [{}]
    if over == "featured":
        return [{"dataset": ds, "model": selection.featured(config["datasets"][ds])} for ds in DATASETS]
    return [{"dataset": ds, "model": m} for ds, m in models_of(over)]


FIGURE_EACH = {
    "method": lambda ds, m: [k for d, mm, k in importance_methods() if (d, mm) == (ds, m) and k != "coefficient"],
    "row": lambda ds, m: config["figures"]["shap"]["instances"],
    # At most one per kept column: encoding only adds columns, so each rank surely exists.
    "rank": lambda ds, m: range(1, min(config["figures"]["shap"]["dependence"]["top_k"], NOTES[ds]["columns_kept"]) + 1),
    "position": lambda ds, m: config["figures"]["lime"]["rows"],
}
FIGURE_WHEN = {
    "classification": lambda ds: classification(ds),
    "regression": lambda ds: not classification(ds),
    "compared": lambda ds: compared(ds),
    "two_columns": lambda ds: NOTES[ds]["columns_kept"] >= 2,
    "neural": lambda ds: NEURAL["enabled"],
    "resnet": lambda ds: RESNET_ON,
}


def figures():
    """Every figure of the run, in article order (paths under results/<run>/): the registry's
    entries with the same `over` together, subject by subject; within them, entries with the same
    `each` together, value by value."""
    out, entries = [], list(registry.FIGURES)
    while entries:
        group = [entries[0]]
        for f in entries[1:]:
            if f.over != group[0].over:
                break
            group.append(f)
        entries = entries[len(group):]
        for w in figure_over(group[0].over):
            runs = []  # consecutive entries sharing an `each`
            for f in group:
                if f.when and not FIGURE_WHEN[f.when](w.get("dataset")):
                    continue
                if runs and f.each and runs[-1][0].each == f.each:
                    runs[-1].append(f)
                else:
                    runs.append([f])
            for run in runs:
                values = FIGURE_EACH[run[0].each](w["dataset"], w.get("model")) if run[0].each else [None]
                for value in values:
                    for f in run:
                        out.append(OUT.path(f.kind, **w, **({f.each: value} if f.each else {})))
    return out


def figure_output(kind):
    """A figure rule's output: its path pattern, flagged for Snakemake's report with the registry's
    caption file and category (each dataset its own subcategory)."""
    f = registry.BY_KIND[kind]
    pattern = OUT.pattern(kind)
    sub = {"subcategory": "{dataset}"} if "{dataset}" in f.pattern else {}
    return report(pattern, caption=str(Path(workflow.basedir) / "report" / "captions" / f"{f.caption}.rst"),
                  category=f.category, **sub)


def all_outputs():
    out = [OUT.path("resolved_config"), OUT.path("metrics"), OUT.path("importances"), *figures()]
    out += [OUT.path("shap_summary", dataset=ds, model=m) for ds, m in models_of("shap")]
    out += [OUT.path("lime_page", dataset=ds, model=m, position=p) for ds, m in models_of("lime")
            for p in config["figures"]["lime"]["rows"]]
    if NEURAL["enabled"]:
        out.append(OUT.path("cnn_layers", dataset=NDS))
    if config["report"]["enabled"]:
        out += [OUT.path("article", format=f) for f in ("html", "pdf")]
    return out + [OUT.path("manifest")]


# ---------------------------------------------------------------------------------- the article
def report_sections():
    """What each section of the article discusses: the first of its selection (for importance, the
    featured model of its first dataset when selected), the dataset of the per-dataset chapters."""
    first = {f: (models_of(f) or [None])[0] for f in selection.FAMILIES}
    imp = models_of("importance")
    if imp:
        ds0 = imp[0][0]
        featured = (ds0, selection.featured(config["datasets"][ds0]))
        first["importance"] = featured if featured in imp else imp[0]
    several = [ds for ds in DATASETS if len(config["datasets"][ds]["models"]) > 1]
    effects = first["effects"]
    return {
        **first,
        "effects_class": selection.explained_class(config, "effects", effects) if effects else None,
        "importance_models": [list(p) for p in imp],
        "shap_instance": config["figures"]["shap"]["instances"][0],
        "lime_rows": list(config["figures"]["lime"]["rows"]),
        "comparison": (several or DATASETS)[0],
        "calibration": next((ds for ds in DATASETS if classification(ds)), None),
        "trust": next((ds for ds in DATASETS if compared(ds)), None) or (first["shap"][0] if first["shap"] else None),
        "deletion": first["shap"],
        # where the model fails: the comparison dataset's featured model
        "slices": [(several or DATASETS)[0], selection.featured(config["datasets"][(several or DATASETS)[0]])],
        "neural": {"dataset": NDS, "max_rank_correlation": NEURAL["sanity"]["max_rank_correlation"]}
        if NEURAL["enabled"] else None,
        "resnet": RESNET_ON,
    }


def report_plan():
    """Every figure of the run with its id and place in the article (mlviz.article.plan.figure_plan)."""
    s = report_sections()
    subjects = {}
    for chapter in (*selection.FAMILIES, "deletion", "slices"):
        if s[chapter]:
            subjects[chapter] = dict(zip(("dataset", "model"), s[chapter]))
    if s["shap"]:
        subjects["shap"]["row"] = s["shap_instance"]
    subjects.update({chapter: {"dataset": s[chapter]} for chapter in ("comparison", "calibration", "trust")
                     if s[chapter]})
    return plan.figure_plan(figures(), RUN, subjects)


def report_sources():
    """report/: _quarto.yml, article.qmd, filters, style (caches of a local `quarto preview` left out)."""
    root = Path(workflow.basedir) / "report"
    skip = {".quarto", "_output", "_build", "__pycache__", "captions"}
    return sorted(str(p) for p in root.rglob("*") if p.is_file() and not skip & set(p.relative_to(root).parts))


def report_words():
    """report/blocks/, report/labels.yml and report/alt.yml: the words of the article's generated parts."""
    root = Path(workflow.basedir) / "report"
    return sorted(str(p) for p in [*(root / "blocks").glob("*.md"), root / "labels.yml", root / "alt.yml"])


def report_tables(w=None):
    """The tables the facts are read from."""
    s = report_sections()
    files = [OUT.path("metrics"), OUT.path("importances")]
    for ds in DATASETS:
        files += [OUT.path("meta", dataset=ds), OUT.path("test", dataset=ds),
                  OUT.path("comparison_metrics", dataset=ds), OUT.path("comparison_differences", dataset=ds)]
    for key in ("tree", "linear", "performance"):
        if s[key]:
            ds, m = s[key]
            files.append(OUT.path("predictions", dataset=ds, model=m))
    if s["linear"]:
        files.append(OUT.path("train", dataset=s["linear"][0]))  # which features are 0/1
    if s["shap"]:
        ds, m = s["shap"]
        files += [OUT.path("shap_summary", dataset=ds, model=m), OUT.path("shap_values", dataset=ds, model=m),
                  OUT.path("deletion_area", dataset=ds, model=m)]
    if s["lime"]:
        ds, m = s["lime"]
        for p in s["lime_rows"]:
            files += [OUT.path(k, dataset=ds, model=m, position=p) for k in ("lime_explanation", "lime_agreement")]
    if s["effects"]:
        files.append(OUT.path("pdp_summary", dataset=s["effects"][0], model=s["effects"][1]))
    # the alt text of every tree, SHAP waterfall and partial-dependence figure reads its own table
    files += [OUT.path("tree_questions", dataset=d, model=m) for d, m in models_of("tree")]
    files += [OUT.path("shap_values", dataset=d, model=m) for d, m in models_of("shap")]
    files += [OUT.path("pdp_summary", dataset=d, model=m) for d, m in models_of("effects")]
    if s["threshold"]:
        files.append(OUT.path("threshold_summary", dataset=s["threshold"][0], model=s["threshold"][1]))
    if s["calibration"]:
        files.append(OUT.path("calibration_scores", dataset=s["calibration"]))
    if s["trust"] and compared(s["trust"]):
        files.append(OUT.path("agreement", dataset=s["trust"]))
    for ds in DATASETS:  # the checks before explanations, which gate the readings
        files += [OUT.path(k, dataset=ds) for k in ("redundancy_groups", "redundancy_pairs", "leakage", "duplicates",
                                                    "column_caveats", "baseline", "filled_rows", "fill_jumps",
                                                    "top_k_checks")]
        files += [OUT.path("permutation_checked", dataset=d, model=m) for d, m in models_of("importance") if d == ds]
    files.append(OUT.path("slices", dataset=s["slices"][0], model=s["slices"][1]))
    if s["neural"]:
        files += [OUT.path("cnn_history", dataset=NDS), OUT.path("cnn_layers", dataset=NDS),
                  OUT.path("predictions", dataset=NDS, model="cnn")]
    if s["resnet"]:
        files.append(OUT.path("resnet_top"))
    return sorted(set(files))


def manifest_producers():
    """Each rule's output, log and benchmark patterns as regular expressions (Snakemake's own), to
    name the rule behind each file of the run."""
    from snakemake.io import is_flagged

    out = []
    for r in sorted(workflow.rules, key=lambda r: r.name):
        for f in [*r.output, *r.log, *([r.benchmark] if r.benchmark else [])]:
            out.append({"rule": r.name, "regex": f.regex().pattern, "wildcards": len(f.get_wildcard_names()),
                        "directory": bool(is_flagged(f, "directory"))})
    return out


# The checks before explanations (rules/diagnostics.smk).
CHECKS = config["checks"]


def read_options(w):
    return config["sources"][config["datasets"][w.dataset]["source"]]


def fill_missing(w):
    return config["datasets"][w.dataset]["preprocess"]["fill_missing"]


def predictions_of(w):
    return [OUT.path("predictions", dataset=w.dataset, model=m) for m in dataset(w)["models"]]


def effects_of(ds):
    return [m for d, m in models_of("effects") if d == ds]


def explained_rows(w):
    """SHAP instances (CSV rows) and LIME test positions of the dataset's explained models."""
    shap = [{"model": m, "rows": list(config["figures"]["shap"]["instances"])}
            for d, m in models_of("shap") if d == w.dataset]
    lime = [{"model": m, "positions": list(config["figures"]["lime"]["rows"])}
            for d, m in models_of("lime") if d == w.dataset]
    return {"shap": shap, "lime": lime}


def top_k_of(w):
    """The top-k agreement checks run on the dataset: method agreement of each model with two
    importance methods, LIME's stability of each explained model."""
    checks = [{"check": "method_agreement", "model": m, "top_k": config["figures"]["trust"]["top_k"]}
              for m in dataset(w)["models"] if len(methods_of(w.dataset, m)) >= 2]
    checks += [{"check": "lime_stability", "model": m, "top_k": config["figures"]["lime"]["stability"]["top_k"]}
               for d, m in models_of("lime") if d == w.dataset]
    return checks


def slices_style():
    from mlviz.plots.style import Style

    return Style.of(config["style"], CHECKS["slices"]).__dict__


def diagnostic_outputs():
    """Every table and figure of this file, for the target `diagnostics`."""
    out = []
    for ds in DATASETS:
        out += [OUT.path(k, dataset=ds) for k in ("redundancy_groups", "redundancy_pairs", "leakage", "duplicates",
                                                  "column_caveats", "baseline", "filled_rows", "fill_jumps",
                                                  "top_k_checks")]
        featured = selection.featured(config["datasets"][ds])
        out += [OUT.path(k, dataset=ds, model=featured) for k in ("slices", "slices_figure")]
    out += [OUT.path("permutation_checked", dataset=ds, model=m) for ds, m in models_of("importance")]
    return out
