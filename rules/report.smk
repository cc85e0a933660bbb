# The article and the manifest. (report issue: being written)


def report_outputs():
    return []
