"""Logging in to the web app: password policy, lockout after failed attempts, and server-side
sessions that expire, end at logout and survive a restart (`SessionStore`).

Failed logins are counted per user name and per client address. When either count reaches its
limit, logins for that name (or from that address) are refused for the lockout time, even with
the right password, and the lockout is written to the audit log. Passwords are not even checked
while locked, so a locked account costs the server nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.identity.access import AccessService
from assistant.identity.accounts import User
from assistant.identity.sessions import SessionStore
from assistant.records.audit import AuditLog
from core.errors import AccountError


@dataclass(frozen=True)
class LoginPolicy:
    """Limits IT can configure (`web.*` settings)."""

    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    lockout_seconds: float = 15 * 60
    session_idle_seconds: float = 60 * 60
    session_max_seconds: float = 12 * 60 * 60
    local_login: str = "everyone"  # "everyone", "admins" (single sign-on for the rest), "nobody"


class LoginRefused(AccountError):
    """Wrong name or password, or locked out; the message never says which name exists."""


@dataclass
class _Counter:
    failures: int = 0
    locked_until: float = 0.0


class LoginService:
    """Checks a login against the accounts and hands out session tokens."""

    def __init__(self, access: AccessService, audit: AuditLog, policy: LoginPolicy,
                 sessions: SessionStore, *, clock: Callable[[], float] = time.time) -> None:
        """`clock` is wall-clock time: stored sessions outlive the process."""
        self.access = access
        self.audit = audit
        self.policy = policy
        self.sessions = sessions
        self.clock = clock
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, str], _Counter] = {}

    # ------------------------------------------------------------------ login
    def login(self, name: str, password: str, address: str) -> str:
        """A new session token, or LoginRefused."""
        keys = [("user", name), ("address", address)]
        if self._locked(keys):
            raise LoginRefused("Zu viele fehlgeschlagene Anmeldungen – bitte später erneut "
                               "versuchen.", f"login for {name!r} from {address} while locked")
        if self.policy.local_login == "nobody":
            raise LoginRefused("Die Anmeldung erfolgt über die zentrale Anmeldung (SSO).",
                               "local login disabled")
        user = self.access.authenticate(name, password)
        if user is None:
            self._failed(name, address)
            raise LoginRefused("Benutzername oder Passwort falsch.",
                               f"failed login for {name!r} from {address}")
        if self.policy.local_login == "admins" and not user.is_admin:
            raise LoginRefused("Bitte über die zentrale Anmeldung (SSO) anmelden – die lokale "
                               "Anmeldung ist Administratoren vorbehalten.",
                               f"local login of non-admin {name!r} refused")
        with self._lock:
            self._counters.pop(("user", name), None)
        return self.start_session(user, address)

    def start_session(self, user: User, address: str) -> str:
        now = self.clock()
        self.sessions.purge(created_before=now - self.policy.session_max_seconds,
                            seen_before=now - self.policy.session_idle_seconds)
        token = self.sessions.start(user.name, now)
        self.audit.record_event("login", user.name, address)
        return token

    def _locked(self, keys: list[tuple[str, str]]) -> bool:
        now = self.clock()
        with self._lock:
            return any(self._counters.get(k, _Counter()).locked_until > now for k in keys)

    def _failed(self, name: str, address: str) -> None:
        now = self.clock()
        limits = {"user": self.policy.max_failures_per_user,
                  "address": self.policy.max_failures_per_address}
        newly_locked = []
        with self._lock:
            for key in (("user", name), ("address", address)):
                counter = self._counters.setdefault(key, _Counter())
                if counter.locked_until and counter.locked_until <= now:
                    counter.failures, counter.locked_until = 0, 0.0  # lockout over: start anew
                counter.failures += 1
                if counter.failures >= limits[key[0]] and counter.locked_until <= now:
                    counter.locked_until = now + self.policy.lockout_seconds
                    newly_locked.append(key)
        for kind, _value in newly_locked:
            self.audit.record_event(f"login_locked_{kind}", name,
                                    f"address={address} failures={limits[kind]} "
                                    f"lockout_s={self.policy.lockout_seconds:g}")

    # ------------------------------------------------------------------ sessions
    def session_user(self, token: str | None) -> str | None:
        """The user name of a live session; an expired one is dropped. A user removed since
        login loses the session too."""
        if not token:
            return None
        now = self.clock()
        session = self.sessions.get(token)
        if session is None:
            return None
        if (now - session.seen > self.policy.session_idle_seconds
                or now - session.created > self.policy.session_max_seconds):
            self.sessions.end(token)
            return None
        if self.access.user(session.user) is None:
            self.sessions.end(token)
            return None
        self.sessions.touch(token, session.seen, now)
        return session.user

    def end_sessions_of(self, name: str) -> int:
        """Log a user out everywhere (account removed, password changed)."""
        return self.sessions.end_user(name)

    def logout(self, token: str | None, address: str = "") -> None:
        """End the session on the server: the cookie is worthless from now on."""
        session = self.sessions.end(token) if token else None
        if session is not None and address:
            self.audit.record_event("logout", session.user, address)
