"""Personal-data providers: how compliance reaches data it does not own.

Each app holding personal data registers a provider in its AppConfig.ready(); subject-rights requests and retention
go through them, so compliance depends on no other app while still covering every table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SubjectQuery:
    """Who the request is about: normalized contacts (value, kind) and an optional CPF (digits)."""

    contacts: tuple[tuple[str, str], ...]
    document: str = ""


@dataclass(frozen=True)
class SubjectRef:
    provider: str
    object_type: str
    object_id: int


class PersonalDataProvider(Protocol):
    name: str

    def find(self, query: SubjectQuery) -> list[SubjectRef]: ...

    def export(self, ref: SubjectRef) -> dict: ...

    def correct(self, ref: SubjectRef, changes: dict, actor) -> list[str]: ...

    def anonymize(self, ref: SubjectRef, actor) -> None: ...

    def delete(self, ref: SubjectRef, actor) -> None: ...

    def shared_with(self, ref: SubjectRef) -> list[dict]: ...

    def retention_apply(self, category: str, cutoff) -> int: ...


_providers: dict[str, PersonalDataProvider] = {}


def provider_register(provider: PersonalDataProvider) -> None:
    _providers[provider.name] = provider


def providers() -> list[PersonalDataProvider]:
    return list(_providers.values())


def provider(name: str) -> PersonalDataProvider:
    return _providers[name]
