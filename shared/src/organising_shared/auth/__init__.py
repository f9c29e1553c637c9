"""Bearer tokens with roles, the same on every service (DESIGN.md, "Auth")."""

from organising_shared.auth.principal import Principal, Role
from organising_shared.auth.tokens import TokenStore, hash_token, new_token

__all__ = ["Principal", "Role", "TokenStore", "hash_token", "new_token"]
