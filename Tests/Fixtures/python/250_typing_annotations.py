# typing names (Optional, List, Dict, Union, Any, Literal) used in annotations.
from typing import Any, Dict, List, Literal, Optional, Union

def summarize(items: List[int], label: Optional[str] = None) -> Dict[str, Any]:
    return {"label": label or "total", "sum": sum(items)}

def parse(x: Union[int, str]) -> int:
    return int(x)

Mode = Literal["fast", "slow"]

def run(mode: Mode = "fast") -> str:
    return "running " + mode

print(summarize([1, 2, 3]), summarize([], "empty"))
print(parse("12") + parse(3))
print(run(), run("slow"))
print(sorted(summarize.__annotations__))
