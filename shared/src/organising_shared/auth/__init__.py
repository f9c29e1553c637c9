"""Bearer tokens with roles, the same on every service (docs/decisions.md, "Bearer tokens with three roles")."""

from organising_shared.auth.principal import Principal, Role
from organising_shared.auth.tokens import TokenStore, hash_token, new_token

__all__ = ["Principal", "Role", "TokenStore", "hash_token", "new_token"]
