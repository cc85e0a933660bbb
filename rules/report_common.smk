# Paths, look-ups and input/param functions of the report rules (rules/report.smk includes this
# file; functions and rules live apart, as `snakemake --lint` asks).
from snakemake.io import is_flagged as _is_flagged

from mlviz import basicfig as _basicfig, report as _report
from mlviz.runtime import config_hash as _config_hash, git_state as _git_state, package_versions as _package_versions

REPORT = _report.settings(config)
REPORT_DIR = f"{RUN}/report"
REPORT_SRC = os.path.join(workflow.basedir, "report")
MANIFEST = f"{RUN}/manifest.parquet"


def report_outputs():
    out = [f"{REPORT_DIR}/article.html", f"{REPORT_DIR}/article.pdf"] if REPORT["enabled"] else []
    return out + [MANIFEST]


def report_plan(wildcards=None):
    """Every figure of the run with its id and place in the article (mlviz.report.figure_plan)."""
    paths = [*figures_basic_outputs(), *figures_explain_outputs(), *neural_outputs()]
    return _report.figure_plan(config, paths, RUN)


def report_figures(wildcards=None):
    return [p["src"] for p in report_plan()]


def report_sources(wildcards=None):
    """report/: _quarto.yml, article.qmd, filters, style (caches of a local `quarto preview` left out)."""
    skip = {".quarto", "_output", "_build", "__pycache__"}
    return sorted(str(p) for p in Path(REPORT_SRC).rglob("*")
                  if p.is_file() and not skip & set(p.relative_to(REPORT_SRC).parts))


def _first(section, key="models"):
    s = _basicfig.entry(config, section)
    return (s[key][0]["dataset"], s[key][0]["model"]) if s and s.get(key) else None


def report_sections(wildcards=None):
    """What each section of the article is about (dataset, model), or None when the run lacks it."""
    from mlviz.explain_config import lime_settings, shap_settings

    shap, lime = shap_settings(config), lime_settings(config)
    tree, linear = _basicfig.entry(config, "tree"), _basicfig.entry(config, "linear")
    imp = _basicfig.entry(config, "importance")
    return {
        "tree": (tree["dataset"], tree["model"]) if tree else None,
        "importance": _first("importance"),
        "importance_models": [[m["dataset"], m["model"]] for m in imp["models"]] if imp else [],
        "linear": (linear["dataset"], linear["model"]) if linear else None,
        "performance": _first("performance"),
        "shap": (shap["explain"][0]["dataset"], shap["explain"][0]["model"]) if shap["explain"] else None,
        "shap_instance": shap["instances"][0] if shap["instances"] else None,
        "lime": (lime["explain"][0]["dataset"], lime["explain"][0]["model"]) if lime["explain"] else None,
        "lime_rows": list(lime["rows"]),
        "neural": {"dataset": NDS, "max_rank_correlation": NEURAL["sanity"]["max_rank_correlation"]}
        if NEURAL["enabled"] else None,
        "resnet": RESNET_ON,
    }


def report_tables(wildcards=None):
    """The tables the facts are read from."""
    s = report_sections()
    models = {tuple(x) for x in s["importance_models"]}
    files = [f"{RUN}/metrics.parquet", f"{RUN}/importances.parquet"]
    for key in ("tree", "linear", "performance"):
        if s[key]:
            ds, m = s[key]
            files += [f"{RUN}/data/{ds}/meta.json", f"{RUN}/predictions/{ds}/{m}.parquet"]
    for ds, m in models:
        files.append(f"{RUN}/data/{ds}/meta.json")
    if s["shap"]:
        ds, m = s["shap"]
        files += [f"{RUN}/shap/{ds}/{m}/summary.json", f"{RUN}/shap/{ds}/{m}/values.parquet"]
    if s["lime"]:
        ds, m = s["lime"]
        for p in s["lime_rows"]:
            files += [f"{RUN}/lime/{ds}/{m}/test{p}/{n}.parquet" for n in ("explanation", "agreement")]
    if s["neural"]:
        nd = f"{RUN}/neural/{NDS}"
        files += [f"{nd}/history.parquet", f"{nd}/layers.parquet", f"{RUN}/predictions/{NDS}/cnn.parquet"]
    if s["resnet"]:
        files.append(f"{RUN}/neural/resnet50/top_classes.parquet")
    return sorted(set(files))


def report_provenance(wildcards=None):
    """The commit and config hash the colophon cites and the manifest records (the same values the
    figures' PNG text chunks carry): a param, so a new commit or config re-renders the article."""
    commit, dirty = _git_state()
    return {"run": config["run"], "commit": commit, "dirty": dirty, "config_hash": _config_hash(config),
            "packages": _package_versions()}


def report_settings(wildcards=None):
    return REPORT


def manifest_inputs(wildcards=None):
    return [f for f in all_outputs() if f != MANIFEST]


def manifest_producers(wildcards=None):
    """Each rule's output and log patterns as regular expressions, to name the rule behind each file."""
    out = []
    for r in sorted(workflow.rules, key=lambda r: r.name):
        for f in [*r.output, *r.log]:
            out.append({"rule": r.name, "regex": f.regex().pattern, "wildcards": len(f.get_wildcard_names()),
                        "directory": bool(_is_flagged(f, "directory"))})
    return out
