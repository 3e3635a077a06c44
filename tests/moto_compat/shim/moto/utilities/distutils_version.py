"""LooseVersion for the dotted numeric versions the tests compare (botocore's)."""
import functools
import re


@functools.total_ordering
class LooseVersion:
    def __init__(self, text):
        self.parts = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-+]", text) if p)

    def __eq__(self, other):
        return self.parts == other.parts

    def __lt__(self, other):
        return [(isinstance(p, str), p) for p in self.parts] < \
            [(isinstance(p, str), p) for p in other.parts]
