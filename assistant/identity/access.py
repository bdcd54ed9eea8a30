"""Access: users, groups, collection grants, and the one rights check every request passes.

The chat, the CLI's `--user`, the Prompt-Labor and any later API ask this service which
collections a user may search; nothing else decides it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.identity.accounts import AccountStore, User, check_name, check_password, readable
from core.errors import AccountError

LOCAL_OPERATOR = "cli"
"""Audit name of a request made without a user (the operator on the server's command line)."""


@dataclass(frozen=True)
class ReadScope:
    """What one request may read, resolved once at the service boundary and handed on: every
    later stage (search, versions, audit) reads it instead of checking the rights again."""

    user: User | None
    requested: tuple[str, ...]  # the collections the caller asked for (empty: all readable)
    collections: tuple[str, ...] | None  # None: no restriction (the operator, an admin)

    @property
    def asker(self) -> str:
        return self.user.name if self.user else LOCAL_OPERATOR

    @property
    def reads_nothing(self) -> bool:
        return self.collections is not None and not self.collections


class AccessService:
    """Who may log in and which collections each user may read."""

    def __init__(self, accounts: AccountStore, indexed_collections: Callable[[], list[str]],
                 *, default_collection: str, allow_anonymous: bool = False,
                 min_password_length: int = 10) -> None:
        """`indexed_collections` lists the collections that hold documents (the manifest)."""
        self.min_password_length = min_password_length
        self.accounts = accounts
        self.indexed_collections = indexed_collections
        self.default_collection = default_collection
        self.allow_anonymous = allow_anonymous

    # ------------------------------------------------------------------ users
    def add_user(self, name: str, password: str, role: str = "staff",
                 groups: Sequence[str] = ()) -> User:
        check_password(name, password, self.min_password_length)
        return self.accounts.add_user(name, password, role, groups)

    def set_password(self, name: str, password: str) -> None:
        check_password(name, password, self.min_password_length)
        self.accounts.set_password(name, password)

    def remove_user(self, name: str) -> None:
        self.accounts.remove_user(name)

    def users(self) -> list[User]:
        return self.accounts.users()

    def external_user(self, name: str, groups: Sequence[str] | None) -> User:
        """The user the single sign-on proxy vouches for, created on first sight (role staff,
        no password). With `groups` given, the mapped reader groups replace the stored ones:
        the identity provider decides group membership."""
        user = self.accounts.add_external_user(name, groups or ())
        if groups is not None and tuple(groups) != user.groups:
            self.accounts.set_groups(name, groups)
            user = self.accounts.require_user(name)
        return user

    def user(self, name: str) -> User | None:
        """The user as stored now (a removed user is gone at once), or None."""
        return self.accounts.user(name)

    def require_user(self, name: str) -> User:
        return self.accounts.require_user(name)

    def authenticate(self, name: str, password: str) -> User | None:
        return self.accounts.authenticate(name, password)

    # ------------------------------------------------------------------ collections
    def grant(self, collection: str, groups: Sequence[str] | str) -> tuple[str, ...]:
        """Only these groups may read `collection` (none: everyone logged in); creates it."""
        return self.accounts.grant(collection, groups)

    def grants(self) -> dict[str, tuple[str, ...]]:
        return self.accounts.grants()

    def collection_name(self, name: str | None) -> str:
        """A valid collection name; empty means the default collection."""
        return check_name((name or "").strip() or self.default_collection, "Sammlung")

    def collections(self, grants: dict[str, tuple[str, ...]] | None = None) -> list[str]:
        """Every collection with documents or created/granted by an admin."""
        granted = self.grants() if grants is None else grants
        names = set(self.indexed_collections()) | set(granted)
        return sorted(names | {self.default_collection})

    def readable_collections(self, user: User | None) -> list[str]:
        grants = self.grants()
        return readable(user, self.collections(grants), grants)

    def scope(self, user: User | None, requested: Sequence[str] | None = None) -> ReadScope:
        """The rights check of one request (AccountError when a requested collection may not
        be read)."""
        allowed = self.allowed_collections(user, requested)
        return ReadScope(user, tuple(requested or ()),
                         None if allowed is None else tuple(allowed))

    def allowed_collections(self, user: User | None, requested: Sequence[str] | None
                            ) -> list[str] | None:
        """The collections a request may search (None = no restriction at all).

        Asking for a collection one may not read is an error, not an empty result: a script or
        an API caller learns that rights are missing instead of trusting a silent refusal.
        """
        if user is None or user.is_admin:
            return list(requested) if requested else None
        mine = self.readable_collections(user)
        if not requested:
            return mine
        denied = [c for c in requested if c not in mine]
        if denied:
            raise AccountError(f"Keine Leserechte für Sammlung {', '.join(denied)}",
                               f"user {user.name!r} may not read {denied}")
        return list(requested)
