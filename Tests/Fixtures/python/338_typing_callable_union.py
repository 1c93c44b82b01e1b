# typing Callable, Union, Optional in function signatures used at runtime.
from typing import Callable, Dict, List, Optional, Union

def apply_all(fns: List[Callable[[int], int]], x: int) -> List[int]:
    return [f(x) for f in fns]

def lookup(d: Dict[str, int], key: str, default: Optional[int] = None) -> Optional[int]:
    return d.get(key, default)

def normalize(v: Union[int, float, str]) -> float:
    return float(v)

print(apply_all([abs, lambda n: n * n, lambda n: -n], -3))
print(lookup({"a": 1}, "a"), lookup({}, "b"), lookup({}, "c", 0))
print([normalize(v) for v in (1, 2.5, "3")])
print(Optional[str] == Union[str, None])
