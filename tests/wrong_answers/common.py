"""Code shared by several wrong answers."""

# The three reductions, appended to a wrong answer that computes ``per_element``.
REDUCE = '''
    if reduction == "mean":
        return per_element.mean()
    if reduction == "sum":
        return per_element.sum()
    return per_element
'''
