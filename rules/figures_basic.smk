# Tree, impurity/permutation importance, linear-model and classification-performance figures.
# (figures issue: being written)


def basic_importance_parts():
    return []


def figures_basic_outputs():
    return []
