"""Single sign-on behind a reverse proxy (oauth2-proxy, Keycloak Gatekeeper, Authentik outposts).

The proxy logs the user in against the Kommune's identity provider and passes the name (and
optionally the groups) in request headers, e.g. `X-Forwarded-User` and `X-Forwarded-Groups`.
Anyone can send such a header, so it is believed only from the configured proxy addresses; a
request that carries it from anywhere else is refused and audited. Users are created on first
sight with role staff and no password; the identity provider's groups are mapped to reader
groups (`web.group_mapping`), and only mapped groups count. A name that breaks the account rules
(a space, an umlaut) is refused with the rule it breaks, audited once a minute per name.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.identity.access import AccessService
from assistant.identity.accounts import NAME_RULE_DE, name_problem
from assistant.records.audit import AuditLog
from core.errors import AccountError, ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PROVISION_SECONDS = 60.0  # a user's groups are re-read from the headers at most this often


class ProxyRefused(AccountError):
    """The sign-on header came from an address that is not a configured proxy."""


class SsoNameRefused(AccountError):
    """The proxy vouches for a name that the account rules do not allow."""


@dataclass(frozen=True)
class TrustedHeaderConfig:
    """`web.trusted_header_auth`, `web.trusted_groups_header`, `web.trusted_proxies`,
    `web.group_mapping`."""

    user_header: str
    groups_header: str | None = None
    proxies: tuple[Network, ...] = ()
    group_mapping: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, user_header: str, groups_header: str | None, proxies: Sequence[str],
              group_mapping: Mapping[str, Sequence[str]]) -> TrustedHeaderConfig:
        if not proxies:
            raise ConfigError(
                "web.trusted_header_auth braucht web.trusted_proxies (die Adressen des Proxys)",
                "trusted_header_auth is set but trusted_proxies is empty")
        try:
            networks = tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies)
        except ValueError as exc:
            raise ConfigError(f"web.trusted_proxies: ungültige Adresse ({exc})", str(exc)) from exc
        return cls(user_header, groups_header or None, networks,
                   {k: tuple(v) for k, v in group_mapping.items()})


def _in(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


class TrustedHeaderAuth:
    """Turns the proxy's headers into a user of the assistant (or a refusal)."""

    def __init__(self, access: AccessService, audit: AuditLog, config: TrustedHeaderConfig,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.access = access
        self.audit = audit
        self.config = config
        self.clock = clock
        self._lock = threading.Lock()
        self._provisioned: dict[tuple[str, tuple[str, ...] | None], float] = {}
        self._refused: dict[str, float] = {}

    def is_proxy(self, peer: str) -> bool:
        return _in(peer, self.config.proxies)

    def client_address(self, headers: Mapping[str, str], peer: str) -> str:
        """The visitor's address: behind a trusted proxy the last `X-Forwarded-For` entry (the
        one the proxy added), else the peer itself."""
        forwarded = headers.get("x-forwarded-for", "")
        if forwarded and self.is_proxy(peer):
            return forwarded.split(",")[-1].strip() or peer
        return peer

    def carries_identity(self, headers: Mapping[str, str]) -> bool:
        return bool(headers.get(self.config.user_header, "").strip())

    def mapped_groups(self, header_value: str | None) -> tuple[str, ...] | None:
        """Reader groups for the identity provider's groups; None without a groups header."""
        if self.config.groups_header is None:
            return None
        wanted: dict[str, None] = {}
        for group in (header_value or "").split(","):
            for mapped in self.config.group_mapping.get(group.strip(), ()):
                wanted[mapped] = None
        return tuple(wanted)

    def user_for(self, headers: Mapping[str, str], peer: str) -> str | None:
        """The user name the proxy vouches for (created or updated as needed); None when the
        request carries no sign-on header; ProxyRefused when it comes from elsewhere."""
        name = headers.get(self.config.user_header, "").strip()
        if not name:
            return None
        if not self.is_proxy(peer):
            self.audit.record_event("sso_refused", name, f"address={peer} not a trusted proxy")
            raise ProxyRefused("Anmeldung über den Proxy-Header ist von dieser Adresse nicht "
                               "erlaubt.", f"identity header from untrusted address {peer}")
        problem = name_problem(name)
        if problem is not None:
            self._refuse_name(name, problem, self.client_address(headers, peer))
        groups = self.mapped_groups(headers.get(self.config.groups_header or "", ""))
        key = (name, groups)
        now = self.clock()
        with self._lock:
            fresh = now - self._provisioned.get(key, -PROVISION_SECONDS) < PROVISION_SECONDS
        if not fresh:
            known = self.access.user(name) is not None
            self.access.external_user(name, groups)
            if not known:
                self.audit.record_event("sso_user_created", name,
                                        f"address={self.client_address(headers, peer)} "
                                        f"groups={','.join(groups or ())}")
            with self._lock:
                self._provisioned[key] = now
        return name

    def _refuse_name(self, name: str, problem: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._refused) > 1000:
                self._refused.clear()
            recent = now - self._refused.get(name, -PROVISION_SECONDS) < PROVISION_SECONDS
            if not recent:
                self._refused[name] = now
        if not recent:
            self.audit.record_event("sso_name_refused", name[:200],
                                    f"address={address} reason={problem}")
        raise SsoNameRefused(
            f"Ihr Anmeldename {name[:200]!r} aus der zentralen Anmeldung (SSO) passt nicht zu den "
            f"Kontoregeln des Rathaus-Assistenten: {problem}. Erlaubt sind {NAME_RULE_DE}. "
            "Bitte wenden Sie sich an die IT.", f"sso name {name[:200]!r} refused: {problem}")
