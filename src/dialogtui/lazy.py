"""A sequence whose items are made when read: the overlap lists and the views over them hold
ids, not objects, for a dense region has millions of overlapping pairs."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import TypeVar, overload

T_co = TypeVar("T_co", covariant=True)


class LazySequence(Sequence[T_co]):
    """Indexing, negative positions and slices over `_at`, which makes one item."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def _at(self, position: int) -> T_co:
        """The item at `position`, 0 <= position < len(self)."""

    @overload
    def __getitem__(self, position: int) -> T_co: ...

    @overload
    def __getitem__(self, position: slice) -> list[T_co]: ...

    def __getitem__(self, position: int | slice) -> T_co | list[T_co]:
        if isinstance(position, slice):
            return [self._at(i) for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._at(position)
