"""The benchmark's baseline: the same work as the workflow's demo run (CNN and article aside), done
top to bottom in one Python process the way a notebook would, with no files between steps other
than the figures. Usage: python benchmarks/baseline.py RAW_DIR OUT_DIR
"""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import lime.lime_tabular  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shap  # noqa: E402
import xgboost  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.inspection import permutation_importance  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.metrics import (ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay,  # noqa: E402
                             accuracy_score, r2_score)
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, plot_tree  # noqa: E402

raw, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)


def save(name):
    plt.savefig(out / f"{name}.png", dpi=150, bbox_inches="tight")
    plt.close("all")


# MBA admissions: fill, encode, one-hot, split.
mba = pd.read_csv(raw / "mba.csv").drop(columns="application_id")
mba["race"] = mba["race"].fillna("Unknown")
mba["admission"] = mba["admission"].fillna("Deny")
mba["gender"] = (mba["gender"] == "Female").astype(int)
mba["international"] = mba["international"].astype(str).str.upper().eq("TRUE").astype(int)
mba = pd.get_dummies(mba, columns=["major", "race", "work_industry"], dtype=int)
X = mba.drop(columns="admission")
y = mba["admission"].map({"Admit": 0, "Deny": 1, "Waitlist": 2})
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=42)
yb_tr, yb_te = (ytr == 0).astype(int), (yte == 0).astype(int)

tree = DecisionTreeClassifier(max_depth=4, random_state=42).fit(Xtr, ytr)
forest = RandomForestClassifier(n_estimators=25, random_state=42).fit(Xtr, ytr)
forest_b = RandomForestClassifier(n_estimators=25, random_state=42).fit(Xtr, yb_tr)
for m in (tree, forest):
    accuracy_score(yte, m.predict(Xte))
accuracy_score(yb_te, forest_b.predict(Xte))

plt.figure(figsize=(11, 5))
plot_tree(tree, feature_names=list(X.columns), filled=True, fontsize=8)
save("tree")
pd.Series(forest.feature_importances_, X.columns).sort_values().plot.barh()
save("impurity_mba")
perm = permutation_importance(forest, Xte, yte, n_repeats=10, random_state=42)
pd.Series(perm.importances_mean, X.columns).sort_values().plot.barh()
save("permutation_mba")
for name, model, yt in (("binary", forest_b, yb_te), ("multi", forest, yte)):
    ConfusionMatrixDisplay.from_estimator(model, Xte, yt)
    save(f"confusion_{name}")
    proba = model.predict_proba(Xte)
    for k in range(proba.shape[1]) if name == "multi" else [1]:
        RocCurveDisplay.from_predictions(yt == k, proba[:, k])
        save(f"roc_{name}_{k}")
        PrecisionRecallDisplay.from_predictions(yt == k, proba[:, k])
        save(f"pr_{name}_{k}")

# LIME on two test rows of the binary forest, then the same rows under ten seeds.
for seed in range(42, 52):
    explainer = lime.lime_tabular.LimeTabularExplainer(Xtr.to_numpy(), feature_names=list(X.columns),
                                                       class_names=["Deny", "Admit"], mode="classification",
                                                       random_state=seed)
    for i in (0, 234):
        exp = explainer.explain_instance(Xte.to_numpy()[i], forest_b.predict_proba, num_features=10,
                                         num_samples=5000)
        if seed == 42:
            exp.as_pyplot_figure()
            save(f"lime_{i}")

# Insurance: encode, scale, split, XGBoost and a linear model.
ins = pd.read_csv(raw / "insurance.csv")
ins["sex"] = (ins["sex"] == "female").astype(int)
ins["smoker"] = (ins["smoker"] == "yes").astype(int)
ins = pd.get_dummies(ins, columns=["region"], drop_first=True, dtype=int)
Xi, yi = ins.drop(columns="charges"), ins["charges"]
Xi_tr, Xi_te, yi_tr, yi_te = train_test_split(Xi, yi, test_size=0.25, random_state=42)
for col in ("age", "bmi", "children"):
    mean, std = Xi_tr[col].mean(), Xi_tr[col].std()
    Xi_tr[col], Xi_te[col] = (Xi_tr[col] - mean) / std, (Xi_te[col] - mean) / std
xgb = xgboost.XGBRegressor(random_state=42, n_jobs=1).fit(Xi_tr, yi_tr)
lin = LinearRegression().fit(Xi_tr, yi_tr)
r2_score(yi_te, xgb.predict(Xi_te))
pred = lin.predict(Xi_te)
pd.Series(lin.coef_, Xi.columns).sort_values().plot.barh()
save("coefficients")
plt.scatter(pred, yi_te - pred, s=5)
save("residuals")
plt.hist(yi_te - pred, bins=30)
save("residual_distribution")
pd.Series(xgb.feature_importances_, Xi.columns).sort_values().plot.barh()
save("impurity_ins")
perm = permutation_importance(xgb, Xi_te, yi_te, n_repeats=10, random_state=42)
pd.Series(perm.importances_mean, Xi.columns).sort_values().plot.barh()
save("permutation_ins")

everything = pd.concat([Xi_tr, Xi_te]).sort_index()
sv = shap.TreeExplainer(xgb)(everything)
shap.plots.waterfall(sv[0], max_display=10, show=False)
save("waterfall")
shap.plots.force(sv[0], matplotlib=True, show=False)
save("force")
shap.plots.beeswarm(sv, max_display=10, show=False)
save("beeswarm")
shap.plots.bar(sv, max_display=10, show=False)
save("bar")
for j in np.argsort(-np.abs(sv.values).mean(0))[:3]:
    shap.plots.scatter(sv[:, int(j)], color=sv, show=False)
    save(f"dependence_{j}")
