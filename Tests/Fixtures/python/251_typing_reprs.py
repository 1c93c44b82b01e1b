# Deterministic reprs of typing constructs.
import typing
from typing import Dict, List, Literal, Optional, Union
print(typing.Optional[int])
print(List[int], Dict[str, float], List[Dict[str, int]])
print(Union[int, str], Union[int, None])
print(Literal["a", "b"], Literal[1])
print(typing.Any)
print(Optional[int] == Union[int, None], List[int] == List[int])
print(typing.get_args(Dict[str, int]), typing.get_origin(List[int]) is list)
print(list[int], dict[str, list[int]])
