"""The gateway's settings (ORGANISING_* from the environment, on top of the shared ones)."""

from __future__ import annotations

from pydantic import Field

from organising_shared.ingress import ingress_topic
from organising_shared.settings import OrganisingSettings


class GatewaySettings(OrganisingSettings):
    port: int = Field(default=8004, description="ORGANISING_PORT: where /metrics is served")
    gateway_group_id: str = Field(default="gateway", description="The gateway's consumer group (one per deployment)")
    gateway_batch_max_records: int = Field(default=5000, ge=1)
    gateway_retry_seconds: float = Field(default=2.0, gt=0, description="Wait before starting again after the broker failed a batch")

    def ingress_topics(self) -> dict[str, str]:
        """Ingress topic → its federation, one per configured federation."""
        return {ingress_topic(code, prefix=self.topic_prefix): code for code in self.federations}
