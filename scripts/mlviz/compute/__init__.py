"""The numbers: preprocessing, models, metrics, importances, SHAP and LIME values, comparisons,
calibration, effects, thresholds, the trust checks and the CNN. Each module computes tables that
rules store as parquet; nothing here draws or writes prose.
"""
