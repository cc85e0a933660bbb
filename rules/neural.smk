# The CNN: training with TensorBoard logs, curves, architecture, confusion matrix, Grad-CAM.
# (neural-network issue: being written)


def neural_metric_parts():
    return []


def neural_outputs():
    return []
