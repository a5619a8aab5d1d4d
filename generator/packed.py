"""Records stored with their bulky fields packed, unpacked the first time one is read.

A build that takes most of an archive's results from the cache reads only a little of each: the
names a story's facts give, not its table of moves; a story summary's dek, not its sentences. At
20,000 articles, making every move, quote and summary sentence object of the months taken whole
was most of what taking them cost (0.30 of 0.36 s). A `Packed` record keeps those fields as one
pickle, with what is read of every record beside it (`Packed.light`), and makes them when a page
or an export reads them.
"""

from __future__ import annotations

import pickle
from typing import ClassVar

_PACK = "_packed"


class Packed:
    """Mixin for a frozen dataclass whose `PACKED` fields are pickled apart.

    Pickled, the record is its other fields, what `light` adds and the packed fields' pickle. The
    packed fields come back (into the record, once) the first time one is read. Equality, hashing
    and `dataclasses.replace` read the fields, so they see no difference.
    """

    PACKED: ClassVar[tuple[str, ...]] = ()
    """The fields stored packed."""

    def light(self) -> dict:
        """Values worked out from the packed fields that are kept beside them (names starting with
        `_`), so that reading them does not unpack the record."""
        return {}

    def __getstate__(self) -> dict:
        state = self.__dict__
        packed = state.get(_PACK)
        if packed is None:
            packed = pickle.dumps(tuple(state[name] for name in self.PACKED), protocol=5)
            state = {**state, **self.light()}
        state = {name: value for name, value in state.items() if name not in self.PACKED}
        state[_PACK] = packed
        return state

    def __setstate__(self, state: dict) -> None:
        # (defined, so that unpickling does not look for it through `__getattr__`)
        self.__dict__.update(state)

    def __getattr__(self, name: str):
        state = self.__dict__
        if name in self.PACKED and _PACK in state:
            state.update(zip(self.PACKED, pickle.loads(state[_PACK])))
            return state[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _light_value(self, name: str, make):
        """A `light` value: kept beside the packed fields, or worked out (once) from the fields."""
        state = self.__dict__
        found = state.get(name)
        if found is None:
            found = state[name] = make()
        return found
