# Deterministic reprs of typing constructs.
import typing
from typing import Dict, List, Literal, Optional, Union
# Union/Optional are compared, not printed beyond typing.Optional[int] (reprs change in 3.14).
print(typing.Optional[int])
print(List[int], Dict[str, float], List[Dict[str, int]])
print(Literal["a", "b"], Literal[1])
print(typing.Any)
print(Optional[int] == Union[int, None], List[int] == List[int])
print(typing.get_args(Dict[str, int]), typing.get_origin(List[int]) is list)
print(list[int], dict[str, list[int]])
