"""Which estimator class a config `type` means, and which hyper-parameters it accepts.

Kept as plain data so that the Snakefile can check config at parse time without importing
scikit-learn or XGBoost (about 2 s); tests/test_models.py checks the lists against the pinned
libraries' own get_params().
"""

_TREE = ["ccp_alpha", "criterion", "max_depth", "max_features", "max_leaf_nodes",
         "min_impurity_decrease", "min_samples_leaf", "min_samples_split",
         "min_weight_fraction_leaf", "monotonic_cst", "random_state", "splitter"]
_FOREST = ["bootstrap", "ccp_alpha", "criterion", "max_depth", "max_features", "max_leaf_nodes",
           "max_samples", "min_impurity_decrease", "min_samples_leaf", "min_samples_split",
           "min_weight_fraction_leaf", "monotonic_cst", "n_estimators", "n_jobs", "oob_score",
           "random_state", "verbose", "warm_start"]
_XGB = ["base_score", "booster", "colsample_bylevel", "colsample_bynode", "colsample_bytree",
        "device", "gamma", "grow_policy", "importance_type", "interaction_constraints",
        "learning_rate", "max_bin", "max_delta_step", "max_depth", "max_leaves",
        "min_child_weight", "missing", "monotone_constraints", "multi_strategy", "n_estimators",
        "n_jobs", "num_parallel_tree", "objective", "random_state", "reg_alpha", "reg_lambda",
        "sampling_method", "scale_pos_weight", "subsample", "tree_method", "validate_parameters",
        "verbosity"]

# (type, task) -> (module, class, accepted params, file format)
ESTIMATORS = {
    ("decision_tree", "classification"): ("sklearn.tree", "DecisionTreeClassifier", _TREE + ["class_weight"], "skops"),
    ("decision_tree", "regression"): ("sklearn.tree", "DecisionTreeRegressor", _TREE, "skops"),
    ("random_forest", "classification"): ("sklearn.ensemble", "RandomForestClassifier", _FOREST + ["class_weight"], "skops"),
    ("random_forest", "regression"): ("sklearn.ensemble", "RandomForestRegressor", _FOREST, "skops"),
    ("linear", "classification"): ("sklearn.linear_model", "LogisticRegression",
                                   ["C", "class_weight", "dual", "fit_intercept", "intercept_scaling",
                                    "l1_ratio", "max_iter", "n_jobs", "penalty", "random_state",
                                    "solver", "tol", "verbose", "warm_start"], "skops"),
    ("linear", "regression"): ("sklearn.linear_model", "LinearRegression",
                               ["copy_X", "fit_intercept", "n_jobs", "positive", "tol"], "skops"),
    ("xgboost", "classification"): ("xgboost", "XGBClassifier", _XGB, "ubj"),
    ("xgboost", "regression"): ("xgboost", "XGBRegressor", _XGB, "ubj"),
}


def model_format(model_type: str, task: str) -> str:
    return ESTIMATORS[(model_type, task)][3]
